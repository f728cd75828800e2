import {
  CandescentAuthError,
  CandescentProtocolError,
  CandescentRateLimitedError,
  type CandescentService,
  CandescentTimeoutError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentMetrics } from '../metrics/candescent-metrics';
import { traceTokenRequest } from '../metrics/candescent-tracing';
import { CircuitBreaker } from './circuit-breaker';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** Errors worth another attempt: the request may succeed later. */
export function isRetryable(error: unknown): error is CandescentAuthError {
  return (
    (error instanceof CandescentUnavailableError && error.errorCode !== 'CIRCUIT_OPEN') ||
    error instanceof CandescentRateLimitedError ||
    error instanceof CandescentTimeoutError
  );
}

/** Errors that say the service itself is unwell (they count against the circuit breaker). */
function isServiceFailure(error: unknown): boolean {
  return isRetryable(error) || error instanceof CandescentProtocolError;
}

/** Clock and randomness, injectable so tests are exact. */
export interface ExecutorRuntime {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

/**
 * Runs token requests with a per-attempt timeout, an overall deadline, bounded retries with
 * exponential backoff and full jitter (at least `Retry-After` when the service sent one), and a
 * circuit breaker per token service. Each attempt is a new request with a fresh trace id.
 */
@RedactedWhenPrinted()
export class TokenRequestExecutor {
  private readonly breakers = new Map<CandescentService, CircuitBreaker>();

  constructor(
    private readonly options: ResolvedCandescentAuthOptions,
    private readonly runtime: ExecutorRuntime,
  ) {}

  /** The breaker of a service (created on first use). */
  breaker(service: CandescentService): CircuitBreaker {
    let breaker = this.breakers.get(service);
    if (!breaker) {
      const { failureThreshold, resetTimeoutMs } = this.options.circuitBreaker;
      breaker = new CircuitBreaker(service, failureThreshold, resetTimeoutMs, () => this.runtime.now());
      this.breakers.set(service, breaker);
    }
    return breaker;
  }

  /** Calls `attempt(timeoutMs)` until it succeeds, fails for good, or the deadline passes. */
  execute<T>(service: CandescentService, grant: string, attempt: (timeoutMs: number) => Promise<T>): Promise<T> {
    // One span per token request, all attempts included (see metrics/candescent-tracing.ts).
    return traceTokenRequest(service, grant, attempt, (counted) => this.attempts(service, grant, counted));
  }

  private async attempts<T>(service: CandescentService, grant: string, attempt: (timeoutMs: number) => Promise<T>): Promise<T> {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.options.retry;
    const deadline = this.runtime.now() + this.options.requestDeadlineMs;
    const breaker = this.breaker(service);
    for (let n = 1; ; n += 1) {
      breaker.beforeRequest();
      const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs, deadline - this.runtime.now()));
      const startedAt = this.runtime.now();
      try {
        const result = await attempt(timeoutMs);
        CandescentMetrics.tokenRequest({ service, grant, outcome: 'success' }, this.runtime.now() - startedAt);
        breaker.onSuccess();
        return result;
      } catch (error: unknown) {
        const outcome = error instanceof CandescentAuthError ? (error.errorCode ?? error.name) : 'error';
        CandescentMetrics.tokenRequest({ service, grant, outcome }, this.runtime.now() - startedAt);
        if (isServiceFailure(error)) breaker.onFailure();
        else breaker.onSuccess();
        if (!isRetryable(error) || n >= maxAttempts) throw error;
        const backoff = this.runtime.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
        const retryAfterMs = (error.retryAfterSeconds ?? 0) * 1000;
        // A Retry-After beyond what we may wait means: give up now, the caller sees when to retry.
        if (retryAfterMs > maxDelayMs) throw error;
        const delay = Math.max(backoff, retryAfterMs);
        if (this.runtime.now() + delay >= deadline) throw error;
        await this.runtime.sleep(delay);
      }
    }
  }
}
