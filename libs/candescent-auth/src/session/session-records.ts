import { type CandescentStore, getMany } from '../store/candescent-store.interface';
import { acknowledgedByReplica } from '../store/redis-replica-ack';
import { readNow } from '../store/read-now';
import { sessionKeys } from '../store/session-keys';
import type { StoredSession } from './stored-session.interface';

/** Sessions kept decoded, so a request whose stored value has not changed skips `JSON.parse`. */
const DECODED_MAX = 1_000;

/** How a session ended, as told to a late request. */
export type SessionEnding = 'expired' | 'revoked';

/** A session as read, with the exact stored text a conditional write compares against. */
export interface SessionSnapshot {
  session: StoredSession;
  raw: string;
  /** The last activity, the value's own or the later one recorded beside it. */
  lastSeenAt: number;
}

/**
 * What {@link SessionRecords.update} did: `written` (the stored session), `superseded` (another
 * write made the change moot; the latest session), `ended` (logged out or gone meanwhile), or
 * `unstored` (the change could not be stored; what it would have written).
 */
export type SessionUpdate =
  { outcome: 'written' | 'superseded' | 'unstored'; session: StoredSession } | { outcome: 'ended' };

/** A session as read for a request, with the activity recorded beside it. */
export interface SessionWithSeen {
  session?: StoredSession;
  seen?: string;
}

/** Every record a read looks at, in the order {@link SessionRecords} destructures them. */
function recordKeys(id: string): string[] {
  return [sessionKeys.value(id), sessionKeys.ended(id), sessionKeys.revision(id), sessionKeys.seen(id)];
}

/** Writes that lost to another are tried again on the latest session this often at most. */
const MAX_UPDATE_ATTEMPTS = 5;

/** Lease of the lock a write takes for itself on a store without `replaceIfUnchanged`. */
const OWN_LEASE_MS = 5_000;

/**
 * A session's records in the store and the rules that make a stale value useless: the value
 * carries a revision that must be at least the latest one recorded beside it, and no value is
 * accepted once an end record exists. A value copied back after a logout, or from before a
 * renewal (with a spent refresh token), is ignored rather than brought back to life.
 */
export class SessionRecords {
  /**
   * The last value parsed per session, reused while the store hands back exactly the same
   * string: the store stays the authority (a logout or renewal on another instance changes or
   * removes the value, and the next read sees it), only the parse is saved. Bounded, and an
   * entry goes as soon as a read finds its session gone.
   */
  private readonly decoded = new Map<string, { raw: string; session: StoredSession }>();

  constructor(
    private readonly store: CandescentStore,
    private readonly now: () => number,
    private readonly idleTimeoutMs: number,
    /** Told of every session read (the shared refusal record rides along). */
    private readonly onRead?: (id: string, session: StoredSession) => void,
  ) {}

  /** The session, or undefined when absent, ended, older than the latest revision or unreadable. */
  async read(id: string): Promise<StoredSession | undefined> {
    return (await this.readForUpdate(id))?.session;
  }

  /** The session and the exact stored text it came from, for {@link update}. */
  async readForUpdate(id: string): Promise<SessionSnapshot | undefined> {
    const [raw, ended, revision, seen] = await getMany(this.store, recordKeys(id));
    const session = this.accept(id, raw, ended, revision);
    if (!session || raw === undefined) return undefined;
    return { session, raw, lastSeenAt: Math.max(session.lastSeenAt, Number(seen) || 0) };
  }

  /**
   * The session (as {@link read}) and its last recorded activity, in one store call: a guarded
   * request's whole lookup is one round trip with the Redis store.
   */
  async readWithSeen(id: string): Promise<SessionWithSeen> {
    return this.acceptWithSeen(id, await getMany(this.store, recordKeys(id)));
  }

  /**
   * {@link readWithSeen} without a promise, from a store that keeps its values in this process
   * (the memory store); undefined from any other store.
   */
  readWithSeenNow(id: string): SessionWithSeen | undefined {
    const values = readNow(this.store, recordKeys(id));
    return values && this.acceptWithSeen(id, values);
  }

  private acceptWithSeen(id: string, [raw, ended, revision, seen]: Array<string | undefined>): SessionWithSeen {
    return { session: this.accept(id, raw, ended, revision), seen };
  }

  private accept(
    id: string,
    raw: string | undefined,
    ended: string | undefined,
    revision: string | undefined,
  ): StoredSession | undefined {
    if (raw === undefined || ended !== undefined) {
      this.decoded.delete(id);
      return undefined;
    }
    const session = this.decode(id, raw);
    if (!session || (session.rev ?? 0) < (Number(revision) || 0)) return undefined;
    this.onRead?.(id, session);
    return session;
  }

  /** The parsed value; frozen, because the same object serves every request until the value changes. */
  private decode(id: string, raw: string): StoredSession | undefined {
    const cached = this.decoded.get(id);
    if (cached?.raw === raw) return cached.session;
    let session: StoredSession;
    try {
      const parsed = JSON.parse(raw) as StoredSession | { v?: unknown };
      if (parsed.v !== 1) return undefined;
      session = deepFreeze(parsed as StoredSession);
    } catch {
      return undefined;
    }
    this.decoded.delete(id);
    if (this.decoded.size >= DECODED_MAX) this.decoded.delete(this.decoded.keys().next().value as string);
    this.decoded.set(id, { raw, session });
    return session;
  }

  /**
   * Writes a new session (revision 0: no `rev` in the value). No revision record yet: a missing
   * one reads as 0, which every value passes, and before the first renewal there is no older
   * value to refuse. Leaving it out saves a store entry per session (about 140 bytes in the
   * memory store) until then. On Redis with replicas, a replica acknowledges the write before
   * the login answers, so a failover right after it does not lose the session.
   */
  async create(id: string, session: StoredSession): Promise<void> {
    const ttl = this.ttl(session);
    if (ttl <= 0) return;
    await acknowledgedByReplica(() => this.store.set(sessionKeys.value(id), JSON.stringify(session), ttl));
  }

  /**
   * Writes `change(session)` as the next revision while the stored session is still the one
   * read: compared on the whole value, atomically, by stores with `replaceIfUnchanged`; others
   * compare and write under the renewal lock (`fence`, or one taken for this write). When
   * another write came first, `change` is asked again with the latest session; it returns
   * undefined when that one already supersedes the change. The revision is recorded after the
   * value, so the value replaced can no longer be put back. On Redis with replicas, a replica
   * acknowledges the value (it may hold a rotated refresh token, the only live one) before the
   * module relies on it.
   */
  async update(
    id: string,
    read: SessionSnapshot,
    change: (latest: StoredSession) => StoredSession | undefined,
    fence?: string,
  ): Promise<SessionUpdate> {
    let current = read;
    let next: StoredSession | undefined;
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const changed = change(current.session);
      if (!changed) return { outcome: 'superseded', session: current.session };
      next = { ...changed, rev: (current.session.rev ?? 0) + 1 };
      const ttl = this.ttl(next);
      const text = JSON.stringify(next);
      const raw = current.raw;
      if (await acknowledgedByReplica(() => this.writeIfUnchanged(id, raw, text, ttl, fence))) {
        // Readers accept a value at or past the recorded revision: nobody sees the session vanish.
        await this.store.set(sessionKeys.revision(id), String(next.rev), ttl);
        // A logout that began before the write (it records the end first) wins: not stored.
        if ((await this.store.get(sessionKeys.ended(id))) !== undefined) return { outcome: 'ended' };
        return { outcome: 'written', session: next };
      }
      const latest = await this.readForUpdate(id);
      if (!latest) return { outcome: 'ended' };
      // Unchanged yet refused: a store without replaceIfUnchanged, and the lease ran out.
      if (latest.raw === current.raw) return { outcome: 'unstored', session: next };
      current = latest;
    }
    return { outcome: 'unstored', session: next ?? current.session };
  }

  /** Deletes the session and leaves an end record that outlives any copy of its value. */
  async end(id: string, session: Pick<StoredSession, 'absoluteExpiresAt'>, reason: SessionEnding): Promise<void> {
    // The end record first: from then on every read refuses the session, with the right reason.
    const ttl = Math.max(this.idleTimeoutMs, session.absoluteExpiresAt - this.now()) + this.idleTimeoutMs;
    await this.store.set(sessionKeys.ended(id), reason, ttl);
    await Promise.all([
      this.store.delete(sessionKeys.value(id)),
      this.store.delete(sessionKeys.seen(id)),
      this.store.delete(sessionKeys.revision(id)),
    ]);
  }

  /** Why a session is gone: its end record, or `invalid` when there is none. */
  async endReason(id: string): Promise<'expired' | 'revoked' | 'invalid'> {
    const reason = await this.store.get(sessionKeys.ended(id));
    return reason === 'expired' || reason === 'revoked' ? reason : 'invalid';
  }

  private async writeIfUnchanged(
    id: string,
    read: string,
    text: string,
    ttl: number,
    fence?: string,
  ): Promise<boolean> {
    const key = sessionKeys.value(id);
    if (this.store.replaceIfUnchanged) return this.store.replaceIfUnchanged(key, read, text, ttl);
    // The previous contract: compare, then write fenced by the renewal lock (taken here when the
    // caller holds none, without waiting: a renewal holding it rewrites the session anyway).
    const lockKey = sessionKeys.lock(id);
    const own = fence === undefined ? await this.store.acquireLock(lockKey, OWN_LEASE_MS) : undefined;
    if (fence === undefined && own === undefined) return false;
    try {
      if ((await this.store.get(key)) !== read) return false;
      return await this.store.replaceIfLocked(key, text, ttl, lockKey, fence ?? own ?? '');
    } finally {
      if (own !== undefined) await this.store.releaseLock(lockKey, own).catch(() => undefined);
    }
  }

  /** Until the absolute end plus one idle period, so a late request hears "expired", not "invalid". */
  ttl(session: Pick<StoredSession, 'absoluteExpiresAt'>): number {
    return session.absoluteExpiresAt - this.now() + this.idleTimeoutMs;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
