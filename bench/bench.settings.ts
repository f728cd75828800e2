/**
 * Every knob of the benchmark in one place, so the report can print exactly what was run and
 * every contender faces the same conditions.
 */
export const BENCH_SETTINGS = {
  /** Injected on the V2 token route: loopback answers in well under 1 ms, a real gateway does not. */
  tokenLatencyMs: 20,
  /** Concurrent first calls on a cold cache (scenario 1). */
  burstCalls: 1_000,
  /** Concurrent callers looping over `getToken()` (scenario 2). */
  expiryCallers: 200,
  /** How long the callers loop (scenario 2). */
  expiryDurationMs: 3_000,
  /** Token lifetime the sandbox hands out in scenario 2, so the run crosses an expiry. */
  expiryTokenTtlSeconds: 2,
  /**
   * Pause between two calls of one caller in scenario 2. It stands in for the downstream request
   * the token is for, and it lets I/O run: a loop of already-resolved promises would starve the
   * event loop and no token response (ours in the background included) could ever arrive.
   */
  callerPauseMs: 5,
  /** Upper bound of iterations per caller, on top of the time bound (scenario 2). */
  maxIterationsPerCaller: 5_000,
  /** A call slower than this waited for a token request: half the injected latency. */
  waitedThresholdMs: 10,
  /** Measured loop of cached `getToken()` calls per contender (scenario 3). */
  warmDurationMs: 1_000,
  /** Unmeasured loop before it, so the JIT has compiled the hot path of each contender alike. */
  warmJitMs: 150,
  /**
   * Renewal window of the hand-written caches, in seconds. 20 % of the 2 s lifetime: the same
   * point at which our module starts renewing (its default `tokenRefreshFraction`), so the
   * comparison is about how each one renews, not when.
   */
  expiryWindowSeconds: 0.4,
  /** Lifetime for scenarios 1 and 3, the sandbox default: nothing expires during them. */
  defaultTokenTtlSeconds: 1_799,
  /** Any scenario run that takes longer than this is cut off and its unfinished calls count as errors. */
  runLimitMs: 15_000,
  /** The whole bench is killed past this, so a hang can never keep CI waiting. */
  watchdogMs: 25 * 60_000,
  /** The same for `npm run bench:quick`. */
  quickWatchdogMs: 5 * 60_000,
} as const;
