import {
  CandescentAuthError,
  CandescentProtocolError,
  CandescentRateLimitedError,
  CandescentTimeoutError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { OperationVerdict } from './circuit-breaker';

/**
 * Which failed token attempts are worth another try, and what a finished operation tells the
 * circuit breaker. Kept apart from the retry loop so the rules read as one table.
 */

/** A 2xx answer whose body could not be read (truncated, empty, not XML or JSON). */
function isMalformedSuccess(error: unknown): error is CandescentProtocolError {
  return (
    error instanceof CandescentProtocolError &&
    error.errorCode === 'MALFORMED_BODY' &&
    error.upstreamStatus !== undefined &&
    error.upstreamStatus >= 200 &&
    error.upstreamStatus < 300
  );
}

/**
 * Errors worth another attempt: network errors, timeouts, 5xx (the 500 quota and spike codes
 * included), 429, and a 2xx whose body broke in transit. A body that parses but breaks the
 * contract (`INVALID_TOKEN_RESPONSE`) is the service's considered answer and would come back the
 * same, so it is not retried.
 *
 * A broken 2xx to a refresh grant is retried too, with the same refresh token. If the service
 * rotated the token before the answer broke, the old one is spent whatever happens next: the
 * session keeps only that token, so its next renewal would send it again anyway (as a retry after
 * a connection reset mid-answer always has). Trying again at once costs the session nothing more
 * and spares the request that waits for the renewal.
 */
export function isRetryable(error: unknown): error is CandescentAuthError {
  return (
    (error instanceof CandescentUnavailableError && error.errorCode !== 'CIRCUIT_OPEN') ||
    error instanceof CandescentRateLimitedError ||
    error instanceof CandescentTimeoutError ||
    isMalformedSuccess(error)
  );
}

/**
 * Runs `operation` for a caller that needs its result now. When the caller joined a renewal ahead
 * still under way (`joinedAhead`: one nobody waited for when it began, which may have spent its
 * attempts before the caller came) and that failed with what another attempt may cure, the
 * operation runs once more: at once, or after the service's `Retry-After` when that is within
 * `maxDelayMs` (the longest wait between attempts). Store failures and lock waits are not
 * token-service answers and are never repeated here.
 */
export async function onceMoreAfterRenewalAhead<T>(
  joinedAhead: boolean,
  operation: () => Promise<T>,
  { maxDelayMs, sleep }: { maxDelayMs: number; sleep: (ms: number) => Promise<void> },
): Promise<T> {
  try {
    return await operation();
  } catch (error: unknown) {
    if (!joinedAhead || !isRetryable(error) || error.service === undefined) throw error;
    const waitMs = (error.retryAfterSeconds ?? 0) * 1000;
    if (waitMs > maxDelayMs) throw error;
    if (waitMs > 0) await sleep(waitMs);
    return operation();
  }
}

/**
 * What a finished operation (after its retries) tells the breaker.
 *
 * - Unavailable, timeout and protocol errors say the service is unwell: `failure`.
 * - Rate limiting (quota and spike arrest as 500, 429) says "slow down", not "down": the back-off
 *   and `Retry-After` already slow down, and counting these is what turned a burst of spike
 *   arrests into a 30 s outage. They are `ignored`, neither failure nor success.
 * - Any other answer of the service (bad credentials, forbidden, expired refresh token) came
 *   from a working service: `success`. A module error raised here without an answer (bad input
 *   refused before sending) says nothing about the service: `ignored`.
 * - An error that is not a module error (a `RangeError` from a parser, a bug) is a `failure`:
 *   nothing is known about the answer, and it must never look like a healthy service.
 */
export function verdictOf(error: unknown): OperationVerdict {
  if (!(error instanceof CandescentAuthError)) return 'failure';
  if (error instanceof CandescentRateLimitedError) return 'ignored';
  if (
    error instanceof CandescentUnavailableError ||
    error instanceof CandescentTimeoutError ||
    error instanceof CandescentProtocolError
  ) {
    return 'failure';
  }
  return error.upstreamStatus === undefined ? 'ignored' : 'success';
}
