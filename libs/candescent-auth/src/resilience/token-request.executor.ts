import { CandescentAuthError } from '../errors/candescent-auth.error';
import type { CandescentService } from '../token/candescent-service';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentMetrics } from '../metrics/candescent-metrics';
import { traceTokenRequest } from '../metrics/candescent-tracing';
import { CircuitBreaker } from './circuit-breaker';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';
import { isRetryable, verdictOf } from './token-failure.policy';

/** Clock and randomness, injectable so tests are exact. */
export interface ExecutorRuntime {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

/**
 * Runs token requests with a per-attempt timeout, an overall deadline, bounded retries with
 * exponential backoff and full jitter (at least `Retry-After` when the service sent one), and a
 * circuit breaker per token service that judges whole operations. Each attempt is a new request
 * with a fresh trace id.
 *
 * Why not cockatiel (3.x, the CommonJS line): its retry and sampling breaker read `Date.now()`
 * and `setTimeout` directly, so the module's injectable clock (which consumers' tests and our
 * fake-clock suites drive) would no longer govern back-off, deadlines or the breaker; its
 * back-off cannot honour `Retry-After` or give up when `Retry-After` is beyond the limit or the
 * deadline; its half-open state queues callers behind a single trial call instead of failing
 * them fast with a 503 and `Retry-After`; its breaker's minimum is a rate (`minimumRps`), not a
 * number of calls; and its buckets rotate one per call, so after a quiet spell failures from long
 * ago still count. What is left to write by hand is small: the loop below, `CircuitBreaker` and
 * `OutcomeWindow`.
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
      breaker = new CircuitBreaker(
        service,
        this.options.circuitBreaker,
        () => this.runtime.now(),
        this.options.institutionId,
      );
      this.breakers.set(service, breaker);
    }
    return breaker;
  }

  /**
   * Calls `attempt(timeoutMs)` until it succeeds, fails for good, or the deadline passes.
   * @throws CandescentUnavailableError `CIRCUIT_OPEN` (503, with `retryAfterSeconds`) while open.
   */
  execute<T>(service: CandescentService, grant: string, attempt: (timeoutMs: number) => Promise<T>): Promise<T> {
    // One span per token request, all attempts included (see metrics/candescent-tracing.ts).
    return traceTokenRequest(service, grant, this.options.institutionId, attempt, (counted) =>
      this.judged(service, grant, counted),
    );
  }

  /** The breaker is asked once per operation and told its outcome once, after the retries. */
  private async judged<T>(
    service: CandescentService,
    grant: string,
    attempt: (timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const breaker = this.breaker(service);
    const permit = breaker.admit();
    try {
      const result = await this.withRetries(service, grant, breaker, attempt);
      permit.settle('success');
      return result;
    } catch (error: unknown) {
      permit.settle(verdictOf(error));
      throw error;
    }
  }

  private async withRetries<T>(
    service: CandescentService,
    grant: string,
    breaker: CircuitBreaker,
    attempt: (timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.options.retry;
    const deadline = this.runtime.now() + this.options.requestDeadlineMs;
    for (let n = 1; ; n += 1) {
      const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs, deadline - this.runtime.now()));
      const startedAt = this.runtime.now();
      try {
        const result = await attempt(timeoutMs);
        const institution = this.options.institutionId;
        CandescentMetrics.tokenRequest(
          { service, grant, outcome: 'success', institution },
          this.runtime.now() - startedAt,
        );
        return result;
      } catch (error: unknown) {
        const outcome = error instanceof CandescentAuthError ? (error.errorCode ?? error.name) : 'error';
        const institution = this.options.institutionId;
        CandescentMetrics.tokenRequest({ service, grant, outcome, institution }, this.runtime.now() - startedAt);
        // Other operations opened the circuit meanwhile: more attempts would only add load.
        if (!isRetryable(error) || n >= maxAttempts || breaker.refusing) throw error;
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
