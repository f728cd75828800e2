import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { CandescentLogger } from '../logging/candescent-logger';
import type { CandescentStore } from './candescent-store.interface';
import { isLiveSessionKey } from './session-keys';
import { expiresAt, memoryEntry, type MemoryEntry, valueOf } from './memory-entry';
import { entryTtlMs, leaseTtlMs } from './store-ttl';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';
import { registerReadNow } from './read-now';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most values other than open sessions' records (and, separately, most locks) kept; the least
   * recently used goes first when full.
   * @default 50_000
   */
  maxEntries?: number;
  /**
   * Most records of open sessions kept (about four per session), apart from every other value,
   * so nothing else can push a session out. When full, the least recently used session record
   * goes first; a warning is logged once when 80% is reached. The per-account cap
   * (`session.maxSessionsPerAccount`) keeps one account from filling it.
   * @default 100_000
   */
  maxSessionEntries?: number;
  /**
   * Clock in epoch milliseconds, for tests that move time by hand.
   * @default Date.now
   */
  now?: () => number;
}

interface Lease {
  readonly fence: string;
  readonly expiresAt: number;
}

/** Default bound of {@link MemoryStore}: enough for a busy single instance, a few tens of MB at most. */
const MEMORY_STORE_DEFAULT_MAX_ENTRIES = 50_000;

/** Default bound of open sessions' records: about 25,000 sessions, some 50 MB. */
const MEMORY_STORE_DEFAULT_MAX_SESSION_ENTRIES = 100_000;

/** Share of a bound at which the store warns (once) that it is filling up. */
const WARN_AT = 0.8;

/** Called with a value the memory store dropped to stay within its bound. */
export type EvictionListener = (key: string, value: string) => void;

/**
 * The default store: process memory, bounded, with per-entry expiry and lease locks. Right for a
 * single instance; sessions and locks are not shared with other instances, so use the Redis
 * store when more than one runs.
 */
@RedactedWhenPrinted()
export class MemoryStore implements CandescentStore {
  // Expiry is checked against our own clock rather than lru-cache's TTL so tests can drive time
  // with `now` and both maps expire by the same rule.
  // Each map is created at its first use: lru-cache allocates its index arrays for `max`
  // entries up front (about 2.4 MB for the default 100,000 session records), which an app that
  // never opens a session, or never takes a lock, should not carry.
  private othersMap?: LRUCache<string, MemoryEntry>;
  private sessionsMap?: LRUCache<string, MemoryEntry>;
  /**
   * A plain `Map`, oldest lease first, not an LRU: lru-cache clears its whole index (arrays of
   * `maxEntries` slots) when its last entry is deleted, and a released lock is usually the only
   * one held, so every release cost a pass over 50,000 slots.
   */
  private readonly locks = new Map<string, Lease>();
  private readonly max: number;
  private readonly maxSessions: number;
  private readonly dispose: (entry: MemoryEntry, key: string, reason: LRUCache.DisposeReason) => void;
  private readonly now: () => number;
  private readonly logger = new CandescentLogger('CandescentMemoryStore');
  private readonly warned = new Set<string>();
  private readonly evictionListeners: EvictionListener[] = [];

  constructor(options: MemoryStoreOptions = {}) {
    this.max = positiveInteger('maxEntries', options.maxEntries ?? MEMORY_STORE_DEFAULT_MAX_ENTRIES);
    this.maxSessions = positiveInteger(
      'maxSessionEntries',
      options.maxSessionEntries ?? MEMORY_STORE_DEFAULT_MAX_SESSION_ENTRIES,
    );
    this.now = options.now ?? Date.now;
    this.dispose = (entry, key, reason) => {
      this.disposed(entry, key, reason);
    };
    registerReadNow(this, {
      read: (keys) => keys.map((key) => this.read(key)),
      // Compared by identity, never called: a subclass that replaces getMany keeps its reads.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      getMany: MemoryStore.prototype.getMany,
    });
  }

  private get others(): LRUCache<string, MemoryEntry> {
    return (this.othersMap ??= new LRUCache<string, MemoryEntry>({ max: this.max, dispose: this.dispose }));
  }

  private get sessions(): LRUCache<string, MemoryEntry> {
    return (this.sessionsMap ??= new LRUCache<string, MemoryEntry>({ max: this.maxSessions, dispose: this.dispose }));
  }

  /** Number of values held, expired ones not yet evicted included. */
  get size(): number {
    return (this.othersMap?.size ?? 0) + (this.sessionsMap?.size ?? 0);
  }

  /**
   * Calls `listener` with each unexpired value dropped to stay within a bound, so the session
   * service can revoke the Candescent tokens of a session pushed out of memory.
   */
  onEvicted(listener: (key: string, value: string) => void): void {
    this.evictionListeners.push(listener);
  }

  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined> {
    return settle(() => this.read(key));
  }

  /** Several values in one step (one promise rather than one per key). */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    return settle(() => keys.map((key) => this.read(key)));
  }

  /** Stores a value that expires after `ttlMs`; a ttl of zero or less removes the key. */
  set(key: string, value: string, ttlMs: number): Promise<void> {
    return settle(() => {
      const ttl = entryTtlMs(ttlMs);
      const values = this.mapFor(key);
      if (ttl === undefined) values.delete(key);
      else {
        values.set(key, memoryEntry(value, this.now() + ttl));
        this.warnWhenNearlyFull(values);
      }
    });
  }

  /** Removes a value; absent keys are fine. */
  delete(key: string): Promise<void> {
    return settle(() => {
      this.mapFor(key).delete(key);
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
      // Locks get their own bound so a flood of values can never evict a held lease; when full,
      // the lease taken longest ago goes.
      if (held === undefined && this.locks.size >= this.max) this.dropOldestLease();
      this.locks.delete(key);
      this.locks.set(key, { fence, expiresAt: now + lease });
      return fence;
    });
  }

  /** Replaces an existing value while `fence` still holds `lockKey`. */
  replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string): Promise<boolean> {
    return settle(() => {
      const now = this.now();
      const lease = this.locks.get(lockKey);
      const values = this.mapFor(key);
      const current = values.get(key);
      if (lease?.fence !== fence || lease.expiresAt <= now || current === undefined || expiresAt(current) <= now)
        return false;
      const ttl = entryTtlMs(ttlMs);
      if (ttl === undefined) values.delete(key);
      else values.set(key, memoryEntry(value, now + ttl));
      return true;
    });
  }

  /** Replaces a value that is still exactly `expected` (compared and written in one synchronous step). */
  replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number): Promise<boolean> {
    return settle(() => {
      const values = this.mapFor(key);
      const current = values.get(key);
      if (current === undefined || expiresAt(current) <= this.now() || valueOf(current) !== expected) return false;
      const ttl = entryTtlMs(ttlMs);
      if (ttl === undefined) values.delete(key);
      else values.set(key, memoryEntry(value, this.now() + ttl));
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
      this.evictionListeners.length = 0;
      this.othersMap?.clear();
      this.sessionsMap?.clear();
      this.locks.clear();
    });
  }

  private dropOldestLease(): void {
    const oldest = this.locks.keys().next();
    if (oldest.done !== true) this.locks.delete(oldest.value);
  }

  private read(key: string): string | undefined {
    const values = this.mapFor(key);
    const entry = values.get(key);
    if (entry === undefined) return undefined;
    if (expiresAt(entry) > this.now()) return valueOf(entry);
    values.delete(key);
    return undefined;
  }

  private mapFor(key: string): LRUCache<string, MemoryEntry> {
    return isLiveSessionKey(key) ? this.sessions : this.others;
  }

  private disposed(entry: MemoryEntry, key: string, reason: LRUCache.DisposeReason): void {
    if (reason !== 'evict' || expiresAt(entry) <= this.now()) return;
    for (const listener of this.evictionListeners) {
      try {
        listener(key, valueOf(entry));
      } catch {
        // A listener's failure must not break the write that caused the eviction.
      }
    }
  }

  private warnWhenNearlyFull(values: LRUCache<string, MemoryEntry>): void {
    const which = values === this.sessions ? 'maxSessionEntries' : 'maxEntries';
    if (values.size < values.max * WARN_AT || this.warned.has(which)) return;
    this.warned.add(which);
    this.logger.warn(
      `The memory store holds ${values.size} of its ${which} (${values.max}) values; when full, the least recently used ` +
        (values === this.sessions
          ? 'sessions end; use the Redis store for more sessions.'
          : 'values are dropped; use the Redis store, or a MemoryStore with a larger maxEntries.'),
    );
  }
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CandescentConfigurationError(`MemoryStore ${field} must be a positive integer; got ${String(value)}`, [
      { field, expected: 'a positive integer' },
    ]);
  }
  return value;
}

/** Runs synchronous work so that a throw becomes a rejection, as callers of a store expect. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}
