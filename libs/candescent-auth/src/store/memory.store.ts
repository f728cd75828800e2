import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import type { CandescentStore } from './candescent-store.interface';
import { entryTtlMs, leaseTtlMs } from './store-ttl';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most values (and, separately, most locks) kept; the least recently used goes first when full.
   * @default 50_000
   */
  maxEntries?: number;
  /**
   * Clock in epoch milliseconds, for tests that move time by hand.
   * @default Date.now
   */
  now?: () => number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

interface Lease {
  readonly fence: string;
  readonly expiresAt: number;
}

/** Default bound of {@link MemoryStore}: enough for a busy single instance, a few tens of MB at most. */
export const MEMORY_STORE_DEFAULT_MAX_ENTRIES = 50_000;

/**
 * The default store: process memory, bounded, with per-entry expiry and lease locks. Right for a
 * single instance; sessions and locks are not shared with other instances, so use the Redis
 * store when more than one runs.
 */
@RedactedWhenPrinted()
export class MemoryStore implements CandescentStore {
  // Expiry is checked against our own clock rather than lru-cache's TTL so tests can drive time
  // with `now` and both maps expire by the same rule.
  private readonly values: LRUCache<string, Entry>;
  private readonly locks: LRUCache<string, Lease>;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxEntries ?? MEMORY_STORE_DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new CandescentConfigurationError(
        `MemoryStore maxEntries must be a positive integer; got ${String(max)}`,
        [{ field: 'maxEntries', expected: 'a positive integer' }],
      );
    }
    this.values = new LRUCache<string, Entry>({ max });
    // Locks get their own bound so a flood of values can never evict a held lease.
    this.locks = new LRUCache<string, Lease>({ max });
    this.now = options.now ?? Date.now;
  }

  /** Number of values held, expired ones not yet evicted included. */
  get size(): number {
    return this.values.size;
  }

  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined> {
    return settle(() => {
      const entry = this.values.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > this.now()) return entry.value;
      this.values.delete(key);
      return undefined;
    });
  }

  /** Stores a value that expires after `ttlMs`; a ttl of zero or less removes the key. */
  set(key: string, value: string, ttlMs: number): Promise<void> {
    return settle(() => {
      const ttl = entryTtlMs(ttlMs);
      if (ttl === undefined) this.values.delete(key);
      else this.values.set(key, { value, expiresAt: this.now() + ttl });
    });
  }

  /** Removes a value; absent keys are fine. */
  delete(key: string): Promise<void> {
    return settle(() => {
      this.values.delete(key);
    });
  }

  /** Takes the lease for `ttlMs` and returns its fence, or undefined while another lease holds. */
  acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    return settle(() => {
      const lease = leaseTtlMs(ttlMs);
      const now = this.now();
      const held = this.locks.get(key);
      if (held !== undefined && held.expiresAt > now) return undefined;
      const fence = randomUUID();
      this.locks.set(key, { fence, expiresAt: now + lease });
      return fence;
    });
  }

  /** Replaces an existing value while `fence` still holds `lockKey`. */
  replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string): Promise<boolean> {
    return settle(() => {
      const now = this.now();
      const lease = this.locks.get(lockKey);
      const current = this.values.get(key);
      if (lease?.fence !== fence || lease.expiresAt <= now || current === undefined || current.expiresAt <= now) return false;
      const ttl = entryTtlMs(ttlMs);
      if (ttl === undefined) this.values.delete(key);
      else this.values.set(key, { value, expiresAt: now + ttl });
      return true;
    });
  }

  /** Releases the lease only while `fence` still owns it. */
  releaseLock(key: string, fence: string): Promise<void> {
    return settle(() => {
      // A lease that expired and was taken by someone else has another fence, so it stays held.
      if (this.locks.get(key)?.fence === fence) this.locks.delete(key);
    });
  }

  /** Drops every value and lock. */
  close(): Promise<void> {
    return settle(() => {
      this.values.clear();
      this.locks.clear();
    });
  }
}

/** Runs synchronous work so that a throw becomes a rejection, as callers of a store expect. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}
