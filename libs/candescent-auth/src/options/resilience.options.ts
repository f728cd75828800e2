import { IsInt, IsOptional, Max, Min } from 'class-validator';

// Each `@default` here repeats CANDESCENT_AUTH_DEFAULTS (candescent-auth.defaults.ts); a test keeps them equal.

/** Retries of token requests. Only network errors, 5xx (rate limits included) and 429 are retried. */
export class CandescentRetryOptionsDto {
  /**
   * Attempts per token request, the first included.
   * @default 3
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  maxAttempts?: number;

  /**
   * Base of the exponential backoff; each wait is a random time up to `baseDelayMs * 2^attempt`.
   * @default 200
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  baseDelayMs?: number;

  /**
   * Upper bound of one wait, `Retry-After` included.
   * @default 5000
   */
  @IsOptional()
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
  /**
   * Percentage of failed operations within the window at which the circuit opens.
   * @default 50
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  failureRateThreshold?: number;

  /**
   * Operations that must have ended within the window before its failure rate counts, so a few
   * unlucky calls at a quiet time never open the circuit.
   * @default 10 (or `failureThreshold` when only that is set)
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  minimumCalls?: number;

  /**
   * Length of the sliding window over which operations are counted (it moves in tenths).
   * @default 60000
   */
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  slidingWindowMs?: number;

  /**
   * How long the circuit stays open (token requests fail fast with a 503 and `Retry-After`)
   * before probes are let through.
   * @default 30000
   */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  resetTimeoutMs?: number;

  /**
   * Operations let through at once while half-open. The first that succeeds closes the circuit;
   * when this many have failed it opens again for `resetTimeoutMs`.
   * @default 3
   */
  @IsOptional()
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
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  failureThreshold?: number;
}
