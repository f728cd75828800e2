// The Redis store's Lua scripts: each runs atomically on the server, which a read followed by a
// write from the client could not.

/**
 * Takes the lock for the caller's fence, or confirms the fence already holds it: the same command
 * sent again (by ioredis after a dropped connection, by a Cluster redirection, by the failover
 * retry) after an earlier send took the lock must not find it "taken by someone else".
 */
export const ACQUIRE_OR_CONFIRM = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') or redis.call('get', KEYS[1]) == ARGV[1] then return 1 else return 0 end`;

/** Deletes the lock only while it still holds the caller's fence. */
export const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Replaces an existing value only while the lock still holds the caller's fence. */
export const REPLACE_IF_LOCKED = `if redis.call('get', KEYS[2]) == ARGV[3] and redis.call('exists', KEYS[1]) == 1 then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 else return 0 end`;

/** Replaces a value only while it still holds the exact bytes the caller read. */
export const REPLACE_IF_UNCHANGED = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end`;
