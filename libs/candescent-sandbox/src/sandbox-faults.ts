import type { SandboxRoute } from './sandbox-records.interface';

/**
 * A misbehaviour to inject. `route` limits it to one endpoint (undefined: any route it applies
 * to); `times` is how many requests it affects (default 1, `Infinity` until `clearFaults()`).
 *
 * `expires-in` and `same-token` only apply to token routes and `reject-token` only to accounts
 * routes; on other routes they are skipped and stay queued.
 */
export type SandboxFault = { route?: SandboxRoute; times?: number } &
  /** Wait, then answer normally. */
  (
    | { kind: 'latency'; ms: number }
    /** 500 rate limit in the service's own shape (V1 90001 "Quota limit violation", V2 CMN_90001). */
    | { kind: 'quota' }
    /** 500 rate limit: V1 92000 "Spike arrest violation", V2 CMN_90002. */
    | { kind: 'spike' }
    /** 500: V1 90003 "Internal Service Error - contact DI team", V2 CMN_90000. */
    | { kind: 'server-error' }
    /** 503 with a small HTML body, and `Retry-After` when given. */
    | { kind: 'unavailable'; retryAfterSeconds?: number }
    /** 429 with `Retry-After` when given. */
    | { kind: 'too-many-requests'; retryAfterSeconds?: number }
    /** Destroy the socket without answering. */
    | { kind: 'reset' }
    /** Send the headers and part of the body, then destroy the socket. */
    | { kind: 'reset-mid-body' }
    /** Send the headers at once and trickle the body over `ms`. */
    | { kind: 'slow-body'; ms: number }
    /** 200 with a truncated body of the route's content type. */
    | { kind: 'malformed' }
    /** 502 `text/html` proxy error page. */
    | { kind: 'html' }
    /** 200 with an empty body. */
    | { kind: 'empty' }
    /** 401 Apigee fault `{"fault":{"faultstring":"Invalid ApiKey",...}}`. */
    | { kind: 'gateway-fault' }
    /** Normal success, but `expires_in` replaced by `value` (null: omitted). */
    | { kind: 'expires-in'; value: string | number | null }
    /** Normal success, but the previous access token of this client/grant is handed out again. */
    | { kind: 'same-token' }
    /** Exactly this response. */
    | { kind: 'raw'; status: number; body: string; contentType?: string; headers?: Record<string, string> }
    /** Accounts routes: 401 as if the bearer token had expired. */
    | { kind: 'reject-token' }
  );

/** Fault kinds that change a normal answer instead of replacing it. */
export type SuccessTweak =
  { kind: 'expires-in'; value: string | number | null } | { kind: 'same-token' } | { kind: 'reject-token' };

const TOKEN_ROUTES: ReadonlySet<SandboxRoute> = new Set(['v1-token', 'v2-token']);
const ACCOUNTS_ROUTES: ReadonlySet<SandboxRoute> = new Set(['v1-accounts', 'v2-accounts']);

interface QueuedFault {
  fault: SandboxFault;
  remaining: number;
}

/** Injected faults in order; each request takes the first one that applies to its route. */
export class SandboxFaultQueue {
  private queue: QueuedFault[] = [];

  add(fault: SandboxFault): void {
    const times = fault.times ?? 1;
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
      throw new Error(`CandescentSandbox: fault times must be a positive integer or Infinity, got ${String(times)}`);
    }
    this.queue.push({ fault: { ...fault }, remaining: times });
  }

  clear(): void {
    this.queue = [];
  }

  /** Removes one use of the first fault that applies to the route and returns it. */
  take(route: SandboxRoute): SandboxFault | undefined {
    const index = this.queue.findIndex((entry) => applies(entry.fault, route));
    if (index < 0) return undefined;
    const entry = this.queue[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

function applies(fault: SandboxFault, route: SandboxRoute): boolean {
  if (fault.route !== undefined && fault.route !== route) return false;
  if (fault.kind === 'expires-in' || fault.kind === 'same-token') return TOKEN_ROUTES.has(route);
  if (fault.kind === 'reject-token') return ACCOUNTS_ROUTES.has(route);
  return true;
}
