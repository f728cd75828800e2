import { AsyncLocalStorage } from 'node:async_hooks';
import { CandescentContext } from '../context/request-context';
import { RedisNotConnectedError } from './redis-connection';

/** Default of `RedisStoreOptions.failoverDeadlineMs`: a Sentinel or Cluster promotion, not a dead Redis. */
export const REDIS_STORE_DEFAULT_FAILOVER_DEADLINE_MS = 15_000;

/** A command that got no reply within the command timeout. */
export class RedisCommandTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no reply within ${timeoutMs} ms`);
    this.name = 'RedisCommandTimeoutError';
  }
}

// What Redis and ioredis say while a master fails and a replica takes over: the command was not
// run, or may be run again safely (every store command is idempotent or compares first).
const FAILOVER_REPLY =
  /^(?:CLUSTERDOWN|TRYAGAIN|MOVED|ASK|READONLY|LOADING|MASTERDOWN)\b|Connection is closed|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|Stream isn't writeable|max retries per request|All sentinels are unreachable|Command timed out/i;
const FAILOVER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'ECONNABORTED',
]);

/**
 * Whether `error` is what a failover looks like, as opposed to a refusal that stays (a password,
 * a certificate, a script). A command not sent because the connection is down counts when the
 * connection's own failure (`cause`) does.
 */
export function isFailoverError(error: unknown, cause?: { reason: string; code?: string }): boolean {
  if (error instanceof RedisNotConnectedError) {
    return cause === undefined || isFailoverError(Object.assign(new Error(cause.reason), { code: cause.code }));
  }
  if (error instanceof RedisCommandTimeoutError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FAILOVER_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  // A connection error that reached the store through the connection's outcome keeps only its text.
  return FAILOVER_REPLY.test(message) || [...FAILOVER_CODES].some((known) => message.includes(known));
}

/** A shorter wait asked by the caller (see {@link withStoreWait}). */
const callerWait = new AsyncLocalStorage<{ waitMs: number }>();

/**
 * Runs `fn` with store operations waiting at most `waitMs` for a failover (0: fail at once). The
 * institution-token cache uses it: the store only helps it share tokens, so it fetches on its
 * own rather than make institution calls wait for a promotion.
 */
export function withStoreWait<T>(waitMs: number, fn: () => T): T {
  return callerWait.run({ waitMs }, fn);
}

/**
 * Whether the running operation's caller asked not to wait for a failover (see
 * {@link withStoreWait}): it has a fallback of its own and reports the outage itself.
 */
export function callerFallsBack(): boolean {
  return callerWait.getStore()?.waitMs === 0;
}

/**
 * When a store operation that met a failover may still retry. Its deadline belongs to the request
 * (every store call of one guarded request shares one), else to the operation; and once Redis has
 * failed for longer than the deadline without a single success it is down, not failing over, and
 * operations fail at once until it answers again.
 */
export class FailoverWindow {
  private failingSince?: number;
  private readonly requestDeadlines = new WeakMap<object, number>();

  constructor(readonly deadlineMs: number) {}

  /** A command succeeded: Redis (or the part of it this command reached) is back. */
  succeeded(): void {
    this.failingSince = undefined;
  }

  /**
   * Until when an operation started at `startedAt` may keep retrying after a failover error at
   * `now`; undefined when it must fail now. A background operation (`ownDeadline`) keeps its own
   * deadline rather than the request's that started it.
   */
  retryUntil(startedAt: number, now: number, ownDeadline = false): number | undefined {
    this.failingSince ??= now;
    if (now - this.failingSince >= this.deadlineMs) return undefined;
    let until = startedAt + Math.min(this.deadlineMs, callerWait.getStore()?.waitMs ?? Infinity);
    const request = ownDeadline ? undefined : CandescentContext.current();
    if (request) {
      const shared = this.requestDeadlines.get(request);
      if (shared === undefined) this.requestDeadlines.set(request, until);
      else until = shared;
    }
    return now < until ? until : undefined;
  }
}

/** Pause before attempt `attempt` (1, 2, ...): 50 ms doubling to 500 ms, with jitter, never past `until`. */
export function failoverBackoffMs(attempt: number, now: number, until: number): number {
  const ceiling = Math.min(500, 50 * 2 ** Math.min(attempt - 1, 4));
  return Math.max(0, Math.min(until - now, ceiling / 2 + Math.random() * (ceiling / 2)));
}
