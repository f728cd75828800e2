/** Lease ends remembered at most: locks a caller keeps on purpose (a spent refresh token's marker) are forgotten after. */
const MAX_REMEMBERED = 10_000;
/** Releases waiting to reach a replica at most; past it the oldest is left to its lease. */
const MAX_UNCONFIRMED = 1_000;

/**
 * The lock releases of a Redis store with replicas that no replica confirmed yet. A release the
 * master answered but did not replicate before it failed would leave the promoted replica with
 * the lock, and the session (or account, or institution token) waiting for its lease to run out:
 * such a release is sent again, in the background and one at a time, until a replica
 * acknowledges it or the lease would have ended anyway.
 */
export class RedisLockReleases {
  /** When each lease taken through this store ends (`performance.now()` time), by lock key and fence. */
  private readonly leaseEnds = new Map<string, number>();
  private readonly unconfirmed = new Map<string, { lockKey: string; fence: string; until: number }>();
  private draining = false;
  private closed = false;

  /**
   * @param release sends one release of `fence` on `lockKey` followed by `WAIT 1`; resolves to
   *   whether a replica acknowledged it (or the master has none), rejects when it could not be sent
   * @param fallbackLeaseMs how long to keep trying a release whose lease this store did not see taken
   */
  constructor(
    private readonly release: (lockKey: string, fence: string) => Promise<boolean>,
    private readonly fallbackLeaseMs: number,
  ) {}

  /** A lease was taken: remember when it ends. */
  taken(lockKey: string, fence: string, leaseMs: number): void {
    const now = performance.now();
    // Oldest first: drop the ones over (leases are of similar length, so the front ends first).
    for (const [id, end] of this.leaseEnds) {
      if (end > now && this.leaseEnds.size < MAX_REMEMBERED) break;
      this.leaseEnds.delete(id);
    }
    this.leaseEnds.set(`${lockKey}\n${fence}`, now + leaseMs);
  }

  /** A lease is being released: until when a release of it is worth sending. */
  releasing(lockKey: string, fence: string): number {
    const id = `${lockKey}\n${fence}`;
    const end = this.leaseEnds.get(id);
    this.leaseEnds.delete(id);
    return end ?? performance.now() + this.fallbackLeaseMs;
  }

  /** A release no replica confirmed: send it again in the background until one does, or `until`. */
  retry(lockKey: string, fence: string, until: number): void {
    if (this.closed || performance.now() >= until) return;
    this.unconfirmed.set(`${lockKey}\n${fence}`, { lockKey, fence, until });
    for (const id of this.unconfirmed.keys()) {
      if (this.unconfirmed.size <= MAX_UNCONFIRMED) break;
      this.unconfirmed.delete(id);
    }
    if (!this.draining) void this.drain();
  }

  /** Stops sending releases (the store is closing). */
  close(): void {
    this.closed = true;
    this.unconfirmed.clear();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let round = 1; this.unconfirmed.size > 0 && !this.closed; round++) {
        // 100 ms doubling to 1 s: a promotion takes seconds, and each WAIT may hold a replica's ack for its timeout.
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** (round - 1))).unref());
        for (const [id, { lockKey, fence, until }] of [...this.unconfirmed]) {
          // Gone meanwhile: the store closed, which empties the list.
          if (!this.unconfirmed.has(id)) continue;
          if (performance.now() >= until) {
            this.unconfirmed.delete(id);
            continue;
          }
          // A failure is the failover still going on: the next round tries again.
          const acknowledged = await this.release(lockKey, fence).catch(() => false);
          if (acknowledged) this.unconfirmed.delete(id);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
