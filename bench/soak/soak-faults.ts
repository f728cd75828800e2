import type { SandboxFault } from '@candescent/sandbox';

/**
 * The faults a soak injects, one drawn at random (equal weights) at each injection. Every kind
 * the sandbox can inject that a healthy client is expected to ride out is here, on the V2 token
 * route the sample uses, plus the 401 of the accounts endpoint. Left out, on purpose:
 * `gateway-fault` (the gateway rejecting the app key: a permanent refusal, which the module must
 * report and remember, not ride out), `raw` (a scripted answer, not a fault), and `expires-in`
 * values that break the contract (0, negative, non-numeric: refused by design, not retried).
 */
export const SOAK_FAULTS: ReadonlyArray<{ label: string; fault: SandboxFault }> = [
  { label: 'latency 300 ms', fault: { route: 'v2-token', kind: 'latency', ms: 300 } },
  { label: 'quota (500 CMN_90001)', fault: { route: 'v2-token', kind: 'quota' } },
  { label: 'spike arrest (500 CMN_90002)', fault: { route: 'v2-token', kind: 'spike' } },
  { label: 'server error (500 CMN_90000)', fault: { route: 'v2-token', kind: 'server-error' } },
  { label: '503 Retry-After: 1', fault: { route: 'v2-token', kind: 'unavailable', retryAfterSeconds: 1 } },
  { label: '429 Retry-After: 1', fault: { route: 'v2-token', kind: 'too-many-requests', retryAfterSeconds: 1 } },
  { label: 'connection reset', fault: { route: 'v2-token', kind: 'reset' } },
  { label: 'reset mid-body', fault: { route: 'v2-token', kind: 'reset-mid-body' } },
  { label: 'slow body 300 ms', fault: { route: 'v2-token', kind: 'slow-body', ms: 300 } },
  { label: 'malformed 200', fault: { route: 'v2-token', kind: 'malformed' } },
  { label: 'HTML 502 page', fault: { route: 'v2-token', kind: 'html' } },
  { label: 'empty 200', fault: { route: 'v2-token', kind: 'empty' } },
  { label: 'same token again', fault: { route: 'v2-token', kind: 'same-token' } },
  { label: "expires_in ' 4 ' (text with spaces)", fault: { route: 'v2-token', kind: 'expires-in', value: ' 4 ' } },
  { label: 'accounts 401 (token refused)', fault: { route: 'v2-accounts', kind: 'reject-token' } },
];

/** Kinds left out, with the reason, for the report. */
export const SOAK_FAULTS_LEFT_OUT: ReadonlyArray<{ kind: string; why: string }> = [
  { kind: 'gateway-fault', why: 'a permanent rejection of the app key: must be reported, not ridden out' },
  { kind: 'raw', why: 'a scripted answer, not a fault' },
  { kind: 'expires-in (0, negative, text)', why: 'a contract breach the module refuses by design' },
];

/**
 * The faults of a failover run: all of the above but `reset-mid-body`, the one that ends a session
 * by construction (the gateway rotates the refresh token and the answer carrying the new one never
 * arrives). The fault runs measure it; left out here, "sessions ended" counts what the failover costs.
 */
export const SOAK_FAILOVER_FAULTS: ReadonlyArray<{ label: string; fault: SandboxFault }> = SOAK_FAULTS.filter(
  ({ fault }) => fault.kind !== 'reset-mid-body',
);
