import type { CandescentRedisClient, CandescentRedisClusterOptions } from './redis-client.interface';
import type { CandescentRedisTlsOptions } from './redis-tls';
import type { CandescentSentinelAddress } from './sentinel-address';

/**
 * Options of `RedisStore`. Give exactly one of `url`, `sentinels` (with `name`), `cluster`
 * and `client`, and exactly one of `encryptionKey` and `encryptionKeys`.
 */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`; the store owns the connection it makes. */
  url?: string;
  /**
   * Redis Sentinels (`'host:port'` or `{ host, port }`) to ask for the master of `name`; the store
   * owns the connection it makes and follows the master through a failover.
   */
  sentinels?: readonly (string | CandescentSentinelAddress)[];
  /** The Sentinel master group name, with `sentinels`. */
  name?: string;
  /** An ioredis client (a `Redis` or a `Cluster`) you manage; the store never quits it. */
  client?: CandescentRedisClient;
  /** A Redis Cluster the store connects to (ioredis `Cluster`) and quits on close. */
  cluster?: CandescentRedisClusterOptions;
  /**
   * ACL user of the Redis server(s) the store connects to (a URL's, a Sentinel's master, every
   * Cluster node), with `password`. Not with a URL that carries credentials, nor with `client`.
   */
  username?: string;
  /** Password of the Redis server(s) the store connects to (`requirepass` or the ACL user's); never logged. */
  password?: string;
  /** TLS to the Redis server(s) the store connects to; with `url`, only a `rediss://` one. */
  tls?: CandescentRedisTlsOptions;
  /** ACL user of the Sentinels, with `sentinelPassword`; only with `sentinels`. */
  sentinelUsername?: string;
  /** Password of the Sentinels themselves (their `requirepass`); only with `sentinels`; never logged. */
  sentinelPassword?: string;
  /** TLS to the Sentinels; only with `sentinels`. */
  sentinelTls?: CandescentRedisTlsOptions;
  /**
   * Prefix of every key the store writes; values live under `<prefix>data:`, locks under
   * `<prefix>lock:`, each followed by a Redis Cluster hash tag (`{...}`) so that a value and its
   * lock, and all records of one session, share a hash slot. No braces in the prefix.
   * @default 'candescent:'
   */
  keyPrefix?: string;
  /** `CANDESCENT_STORE_KEY`: 32 bytes as base64, or 64 hex characters. */
  encryptionKey?: string;
  /**
   * Several keys for rotation, newest first: values are written with the first and read with
   * any of them (each value names its key by a short id). Instead of `encryptionKey`.
   */
  encryptionKeys?: string[];
  /**
   * Bound into every value's associated data besides its Redis key, so that a value written
   * for another context does not decrypt. The module passes a hash of the gateway origin,
   * consumer key and FI id: apps that share a Redis, a key prefix and a `CANDESCENT_STORE_KEY`
   * cannot read (or act on) each other's sessions. Changing it makes existing values unreadable.
   * @default none (the Redis key alone)
   */
  boundTo?: string;
  /**
   * Longest wait for one Redis command before the store gives up with `CandescentUnavailableError`.
   * It counts time this process could run: when the process was starved of CPU (its timer fires
   * late), a reply Redis already sent is still read, and the command gets one more period, so an
   * overloaded machine does not turn slow answers into failed calls. A Redis that does not answer
   * fails within this time, or twice it while the process is starved.
   * @default 1000
   */
  commandTimeoutMs?: number;
  /**
   * How long a store operation that meets a failover (connection refused or reset, `CLUSTERDOWN`,
   * `TRYAGAIN`, `MOVED`/`ASK`, `READONLY`, a Sentinel switch, a command timeout) keeps retrying,
   * with backoff, before it fails with `CandescentUnavailableError`: a promotion costs callers a
   * pause, not an error. The deadline is per request (all store calls of one guarded request
   * share it). A Redis that has failed for longer than this without one success is taken as down,
   * not failing over: operations then fail at once until it answers again.
   * @default 15000
   */
  failoverDeadlineMs?: number;
}
