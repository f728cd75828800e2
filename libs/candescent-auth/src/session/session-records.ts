import { type CandescentStore, getMany } from '../store/candescent-store.interface';
import { sessionKeys } from '../store/session-keys';
import type { StoredSession } from './stored-session.interface';

/** Sessions kept decoded, so a request whose stored value has not changed skips `JSON.parse`. */
const DECODED_MAX = 1_000;

/** How a session ended, as told to a late request. */
export type SessionEnding = 'expired' | 'revoked';

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
  ) {}

  /** The session, or undefined when absent, ended, older than the latest revision or unreadable. */
  async read(id: string): Promise<StoredSession | undefined> {
    const [raw, ended, revision] = await getMany(this.store, [
      sessionKeys.value(id),
      sessionKeys.ended(id),
      sessionKeys.revision(id),
    ]);
    return this.accept(id, raw, ended, revision);
  }

  /**
   * The session (as {@link read}) and its last recorded activity, in one store call: a guarded
   * request's whole lookup is one round trip with the Redis store.
   */
  async readWithSeen(id: string): Promise<{ session?: StoredSession; seen?: string }> {
    const [raw, ended, revision, seen] = await getMany(this.store, [
      sessionKeys.value(id),
      sessionKeys.ended(id),
      sessionKeys.revision(id),
      sessionKeys.seen(id),
    ]);
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
    return session && (session.rev ?? 0) >= (Number(revision) || 0) ? session : undefined;
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
   * Writes a new session (revision 1). No revision record yet: a missing one reads as 0, which
   * every value passes, and before the first renewal there is no older value to refuse. Leaving
   * it out saves a store entry per session (about 140 bytes in the memory store) until then.
   */
  async create(id: string, session: StoredSession): Promise<void> {
    const ttl = this.ttl(session);
    if (ttl <= 0) return;
    await this.store.set(sessionKeys.value(id), JSON.stringify(session), ttl);
  }

  /**
   * Replaces the session with the next revision while the renewal lock is held, then records
   * that revision, so the value it replaced can no longer be put back.
   * @returns the stored session, or undefined when not written (ended meanwhile, lease lost)
   */
  async replace(id: string, session: StoredSession, fence: string): Promise<StoredSession | undefined> {
    const next: StoredSession = { ...session, rev: (session.rev ?? 0) + 1 };
    const ttl = this.ttl(next);
    const written = await this.store.replaceIfLocked(
      sessionKeys.value(id),
      JSON.stringify(next),
      ttl,
      sessionKeys.lock(id),
      fence,
    );
    if (!written) return undefined;
    // Written after the value: readers accept a value at or past the recorded revision, so
    // nobody sees the session vanish in between.
    await this.store.set(sessionKeys.revision(id), String(next.rev), ttl);
    // A logout that began before the write (it records the end first) wins: not stored.
    if ((await this.store.get(sessionKeys.ended(id))) !== undefined) return undefined;
    return next;
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
