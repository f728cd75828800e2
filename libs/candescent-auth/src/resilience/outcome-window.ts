/** How many buckets a window is cut into: the window slides in steps of a tenth of its length. */
const BUCKETS = 10;

interface Bucket {
  /** `floor(time / bucketMs)` of the slot's current contents; a slot from an older turn is stale. */
  index: number;
  successes: number;
  failures: number;
}

/**
 * Outcomes of token operations over the last `windowMs`, in time buckets. A bucket is judged by
 * the time it stands for, not by arrival order, so after a quiet spell old failures are gone
 * rather than carried over (a ring that rotates one bucket per call would keep them).
 */
export class OutcomeWindow {
  private readonly bucketMs: number;
  private readonly buckets: Bucket[];

  constructor(
    windowMs: number,
    private readonly now: () => number,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
    this.buckets = Array.from({ length: BUCKETS }, () => ({ index: -1, successes: 0, failures: 0 }));
  }

  record(success: boolean): void {
    const index = Math.floor(this.now() / this.bucketMs);
    const bucket = this.buckets[index % BUCKETS];
    if (bucket.index !== index) {
      bucket.index = index;
      bucket.successes = 0;
      bucket.failures = 0;
    }
    if (success) bucket.successes += 1;
    else bucket.failures += 1;
  }

  /** Successes and failures recorded within the window that ends now. */
  totals(): { calls: number; failures: number } {
    const newest = Math.floor(this.now() / this.bucketMs);
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      if (bucket.index > newest - BUCKETS && bucket.index <= newest) {
        calls += bucket.successes + bucket.failures;
        failures += bucket.failures;
      }
    }
    return { calls, failures };
  }

  clear(): void {
    for (const bucket of this.buckets) bucket.index = -1;
  }
}
