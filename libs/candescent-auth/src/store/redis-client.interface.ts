/**
 * The part of an ioredis 5 or 6 client that `RedisStore` uses. An ioredis `Redis` instance fits
 * it; it is declared here so that the package's types do not need `ioredis` installed in apps
 * that never use Redis.
 */
export interface CandescentRedisClient {
  /** ioredis's connection state (`'ready'` once connected). */
  readonly status: string;
  /** GET. */
  get(key: string): Promise<string | null>;
  /** Used for several reads in one round trip when present (every ioredis client has it). */
  mget?(...keys: string[]): Promise<Array<string | null>>;
  /** SET with an expiry in ms. */
  set(key: string, value: string, expiryMode: 'PX', ttlMs: number): Promise<unknown>;
  /** SET if absent, with an expiry in ms (the lock). */
  set(key: string, value: string, expiryMode: 'PX', ttlMs: number, mode: 'NX'): Promise<'OK' | null>;
  /** DEL. */
  del(...keys: string[]): Promise<number>;
  /** EVAL of the store's Lua scripts (compare-and-set, fenced writes). */
  eval(script: string, numberOfKeys: number, ...args: string[]): Promise<unknown>;
  /** Closes the connection gracefully (a client the store made). */
  quit(): Promise<unknown>;
  /** Closes the connection at once. */
  disconnect(): void;
  /** PING, used by the health detail; without it the store reads a probe key instead. */
  ping?(): Promise<unknown>;
  /** Listens for connection events (the store logs errors and tracks readiness). */
  on(event: 'error' | 'ready' | 'end', listener: (...args: unknown[]) => void): unknown;
  /** Removes a listener the store added, when it stops using a client the app owns. */
  off?(event: 'error' | 'ready' | 'end', listener: (...args: unknown[]) => void): unknown;
}

/** One seed node of a Redis Cluster: `{ host, port }` or `'host:port'` (`'[::1]:7000'` for IPv6). */
export type CandescentRedisClusterNode = { host: string; port: number } | string;

/** A Redis Cluster the store connects to through ioredis's `Cluster`. */
export interface CandescentRedisClusterOptions {
  /** Seed nodes: any few reachable members; the client learns the rest from them. */
  nodes: CandescentRedisClusterNode[];
}
