import { IsInt, Max, Min } from 'class-validator';
import { Option } from './option.decorator';

// Options declared as module.options.ts describes (its first comment says how to add one).

/** A `failureThreshold` that can stand in for `minimumCalls` (a wrong one is named on its own). */
const isThreshold = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 10_000;

/** Retries of token requests. Only network errors, 5xx (rate limits included) and 429 are retried. */
export class CandescentRetryOptionsDto {
  /** Attempts per token request, the first included. */
  @Option({ default: 3, expected: 'a whole number from 1 to 10' })
  @IsInt()
  @Min(1)
  @Max(10)
  maxAttempts?: number;

  /** Base of the exponential backoff; each wait is a random time up to `baseDelayMs * 2^attempt`. */
  @Option({ default: 200, expected: 'a whole number of milliseconds from 0 to 60000' })
  @IsInt()
  @Min(0)
  @Max(60_000)
  baseDelayMs?: number;

  /** Upper bound of one wait, `Retry-After` included. */
  @Option({ default: 5_000, expected: 'a whole number of milliseconds from 0 to 120000' })
  @IsInt()
  @Min(0)
  @Max(120_000)
  maxDelayMs?: number;
}

/**
 * The circuit breaker in front of each token service. It judges whole token operations (one
 * caller's request with all its retries), never single attempts: it opens when, over the last
 * `slidingWindowMs`, at least `minimumCalls` operations ended and at least `failureRateThreshold`
 * percent of them failed (the model of Resilience4j and Polly v8). Rate limiting (quota and spike
 * arrest, 429) is not a failure: the back-off and `Retry-After` answer it.
 */
export class CandescentCircuitBreakerOptionsDto {
  /** Percentage of failed operations within the window at which the circuit opens. */
  @Option({ default: 50, expected: 'a whole percentage from 1 to 100' })
  @IsInt()
  @Min(1)
  @Max(100)
  failureRateThreshold?: number;

  /**
   * Operations that must have ended within the window before its failure rate counts, so a few
   * unlucky calls at a quiet time never open the circuit.
   */
  @Option({
    // The deprecated failureThreshold keeps working as the minimum (see its TSDoc).
    default: (breaker: { failureThreshold?: unknown }) =>
      isThreshold(breaker.failureThreshold) ? breaker.failureThreshold : 10,
    defaultText: '`10` (or `failureThreshold` when only that is set)',
    expected: 'a whole number from 1 to 10000',
  })
  @IsInt()
  @Min(1)
  @Max(10_000)
  minimumCalls?: number;

  /** Length of the sliding window over which operations are counted (it moves in tenths). */
  @Option({ default: 60_000, expected: 'a whole number of milliseconds from 1000 to 3600000' })
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  slidingWindowMs?: number;

  /**
   * How long the circuit stays open (token requests fail fast with a 503 and `Retry-After`)
   * before probes are let through.
   */
  @Option({ default: 30_000, expected: 'a whole number of milliseconds from 100 to 3600000' })
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  resetTimeoutMs?: number;

  /**
   * Operations let through at once while half-open. The first that succeeds closes the circuit;
   * when this many have failed it opens again for `resetTimeoutMs`.
   */
  @Option({ default: 3, expected: 'a whole number from 1 to 100' })
  @IsInt()
  @Min(1)
  @Max(100)
  halfOpenProbes?: number;

  /**
   * This used to be "consecutive failed requests that open the circuit", counted per attempt
   * across all callers, which let a burst of rate-limit answers open it. It is now read as
   * `minimumCalls` when that is not set: with a service that is really down both open after this
   * many failed operations.
   * @deprecated Use `minimumCalls` (and `failureRateThreshold`).
   */
  @Option({
    optional: true,
    deprecated: true,
    expected: 'a whole number from 1 to 10000 (deprecated: use minimumCalls)',
  })
  @IsInt()
  @Min(1)
  @Max(10_000)
  failureThreshold?: number;
}
