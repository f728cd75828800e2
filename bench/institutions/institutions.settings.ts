/** Knobs of the institutions scenario (issue: scale to hundreds of institutions, measured at 500). */
export interface InstitutionsProfile {
  /** Institutions of the large module; the small one has 1. */
  many: number;
  /** Start-ups of each module size, alternated; the report shows the median. */
  startups: number;
  /** Paired throughput rounds: each round one window on the 1-institution app, one on the large. */
  rounds: number;
  /** Length of one load window. */
  windowMs: number;
  /** Unmeasured window per app before the first round, so the JIT has compiled both alike. */
  warmupMs: number;
  /** Concurrent keep-alive connections of the load generator. */
  connections: number;
}

export const INSTITUTIONS_FULL: InstitutionsProfile = {
  many: 500,
  startups: 9,
  rounds: 6,
  windowMs: 3_000,
  warmupMs: 1_500,
  connections: 20,
};

export const INSTITUTIONS_QUICK: InstitutionsProfile = {
  many: 500,
  startups: 3,
  rounds: 2,
  windowMs: 1_000,
  warmupMs: 500,
  connections: 20,
};
