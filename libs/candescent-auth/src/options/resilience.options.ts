import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Retries of token requests. Only network errors, 5xx (rate limits included) and 429 are retried. */
export class CandescentRetryOptionsDto {
  /**
   * Attempts per token request, the first included.
   * @default 3
   */
  @IsOptional() @IsInt() @Min(1) @Max(10)
  maxAttempts?: number;

  /**
   * Base of the exponential backoff; each wait is a random time up to `baseDelayMs * 2^attempt`.
   * @default 200
   */
  @IsOptional() @IsInt() @Min(0) @Max(60_000)
  baseDelayMs?: number;

  /**
   * Upper bound of one wait, `Retry-After` included.
   * @default 5000
   */
  @IsOptional() @IsInt() @Min(0) @Max(120_000)
  maxDelayMs?: number;
}

/** The circuit breaker in front of each token service. */
export class CandescentCircuitBreakerOptionsDto {
  /**
   * Consecutive failed token requests (after retries) that open the circuit.
   * @default 5
   */
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  failureThreshold?: number;

  /**
   * How long the circuit stays open before one probe request is let through.
   * @default 30000
   */
  @IsOptional() @IsInt() @Min(100) @Max(3_600_000)
  resetTimeoutMs?: number;
}
