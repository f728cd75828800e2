/** How long and how often the end-to-end scenarios measure: `full` for the report, `quick` to check a change. */
export interface E2eProfile {
  readonly name: 'full' | 'quick';
  /** Rounds of the interleaved comparison; each round runs every contender once, in a rotated order. */
  readonly rounds: number;
  /** Measured autocannon window per contender per round. */
  readonly windowMs: number;
  /** Unmeasured load per contender before round 1, so every app's hot path is compiled alike. */
  readonly warmupMs: number;
  /** Sessions logged in for the heap-per-session scenario. */
  readonly sessions: number;
  /** A cold-stampede call unanswered after this counts as failed. */
  readonly stampedeCallTimeoutMs: number;
  /** Whether the token-level scenarios (getToken() in a loop) run too. */
  readonly tokenLevel: boolean;
  /** Whether the cold stampede runs every contender, or this module with the Redis store only. */
  readonly stampedeAlternatives: boolean;
  /** How long the CPU burners run before the overloaded stampede starts. */
  readonly overloadSettleMs: number;
  /** Logins per window of the login-throughput scenario (one window per contender per round). */
  readonly loginsPerWindow: number;
}

/** Settings shared by both profiles. */
export const E2E_SETTINGS = {
  /** Concurrent connections of autocannon, as in the measurement. */
  connections: 50,
  /** Processes of one cluster in the cold stampede, all sharing one Redis. */
  stampedeProcesses: 4,
  /** Calls in the cold stampede, split evenly over the processes and started at once. */
  stampedeCalls: 1_000,
  /** Pause between the stampede's processes being ready and the calls. */
  stampedeSettleMs: 1_000,
  /** Latency injected on every token request during the stampede, so concurrent callers overlap. */
  stampedeTokenLatencyMs: 20,
  /** Logins in flight at once in the heap scenario (the sandbox answers with no injected latency). */
  loginConcurrency: 20,
  /** CPU burners per core beside the overloaded cold stampede: a machine at 3× its cores in load. */
  overloadBurnersPerCore: 3,
  /** A call of the overloaded stampede unanswered after this counts as failed (in both profiles). */
  overloadCallTimeoutMs: 15_000,
  /** A child that does not answer within this is treated as hung. */
  childReplyTimeoutMs: 60_000,
} as const;

/**
 * For the report. Many short rounds rather than a few long ones: this machine's slow spells (the
 * CPU time of identical requests can double for some seconds) then land inside one round, where
 * both sides of a ratio share them, more often than across two.
 */
export const FULL_PROFILE: E2eProfile = {
  name: 'full',
  rounds: 14,
  windowMs: 2_000,
  warmupMs: 2_000,
  sessions: 10_000,
  stampedeCallTimeoutMs: 15_000,
  tokenLevel: true,
  stampedeAlternatives: true,
  overloadSettleMs: 10_000,
  loginsPerWindow: 500,
};

/**
 * Under two minutes on the bench's 2 cores, build included: shorter windows, fewer sessions, a
 * shorter wait for stampede calls that never answer, a stampede of this module on Redis
 * only, fewer logins, and no token-level or institutions scenarios (the first measure getToken()
 * in a loop, which a change to the request path does not move; the second has a command of its
 * own). For checking a change, not for the report.
 */
export const QUICK_PROFILE: E2eProfile = {
  name: 'quick',
  rounds: 3,
  windowMs: 600,
  warmupMs: 300,
  sessions: 500,
  stampedeCallTimeoutMs: 5_000,
  tokenLevel: false,
  stampedeAlternatives: false,
  overloadSettleMs: 1_000,
  loginsPerWindow: 150,
};

/** Logins before the heap baseline: lazily built structures are not per session. */
export const HEAP_WARMUP_LOGINS = 50;
