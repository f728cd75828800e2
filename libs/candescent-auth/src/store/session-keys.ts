/**
 * Store keys of a customer session's records, in one place: the session service writes them and
 * the memory store keeps the live ones apart from everything else.
 *
 * The `{...}` part is a Redis Cluster hash tag: only it decides the hash slot, so every record
 * of one session (value, activity, revision, end record, renewal lock) lives in one slot and a
 * script may read or write any of them together without a CROSSSLOT error. The same goes for an
 * account's list and its lock. Ids are hashes in base64url, so they never hold a brace.
 */
export const sessionKeys = {
  /** The session itself (tokens, times), under the hash of its handle. */
  value: (id: string) => `session:{${id}}`,
  /** The last activity, kept apart so that recording it never rewrites the session. */
  seen: (id: string) => `session-seen:{${id}}`,
  /** The latest revision written; an older value copied back is refused. */
  revision: (id: string) => `session-rev:{${id}}`,
  /** Why the session ended (logout, expiry); any value copied back after it is refused. */
  ended: (id: string) => `session-end:{${id}}`,
  /** The sessions open for one account, for the per-account cap. */
  account: (account: string) => `session-account:{${account}}`,
  /** The renewal lock of a session. */
  lock: (id: string) => `lock:session:{${id}}`,
  /**
   * Taken (a lease, like a lock) by the renewal that spends one refresh token of the session, by
   * a hash of it: a renewal that finds it taken knows another instance is spending that token
   * (its own lease ran out during a stall) and waits for its result instead of ending the session.
   */
  spending: (id: string, refreshTokenHash: string) => `session-spend:{${id}}:${refreshTokenHash}`,
  /** The lock that serialises changes to one account's list. */
  accountLock: (account: string) => `lock:session-account:{${account}}`,
};

/**
 * Whether a key holds a record of an open session (not an end record, not other data). Prefix
 * comparisons rather than a regular expression: the memory store asks this for every key a
 * guarded request reads.
 */
export function isLiveSessionKey(key: string): boolean {
  if (!key.startsWith('session')) return false;
  // What follows `session` in the keys above, but for the end record's.
  return (
    key.startsWith(':', 7) ||
    key.startsWith('-seen:', 7) ||
    key.startsWith('-rev:', 7) ||
    key.startsWith('-account:', 7)
  );
}

/** Whether a key holds a session value itself. */
export function isSessionValueKey(key: string): boolean {
  return key.startsWith('session:');
}
