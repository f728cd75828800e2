import { randomUUID } from 'node:crypto';
import { CandescentContext } from '../context/request-context';
import { CandescentConfigurationError, CandescentUnavailableError } from '../errors/candescent-auth.error';
import { CandescentLogger, describeError } from '../logging/candescent-logger';
import { registerPermanentSecret } from '../logging/redact';
import type { CandescentStore } from './candescent-store.interface';
import { loadIoredis } from './load-ioredis';
import type { CandescentRedisClient, CandescentRedisClusterOptions } from './redis-client.interface';
import { REDIS_CONNECTION_FIELDS, connectCluster, redisServerOptions } from './redis-connection';
import { slotTagged } from './redis-keys';
import { CandescentStoreIntegrityError } from './store-integrity.error';
import { entryTtlMs, leaseTtlMs } from './store-ttl';
import { ValueCipher } from './value-cipher';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/**
 * Options of {@link RedisStore}. Give exactly one of `url`, `client` and `cluster`, and exactly
 * one of `encryptionKey` and `encryptionKeys`.
 */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`; the store owns the connection it makes. */
  url?: string;
  /** An ioredis client (a `Redis` or a `Cluster`) you manage; the store never quits it. */
  client?: CandescentRedisClient;
  /** A Redis Cluster the store connects to (ioredis `Cluster`) and quits on close. */
  cluster?: CandescentRedisClusterOptions;
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
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/** What clients are told when Redis fails; the reason goes only to the log, under the trace id. */
export const STORE_UNAVAILABLE_MESSAGE = 'The session store is unavailable; try again shortly.';

/** Default of {@link RedisStoreOptions.commandTimeoutMs}. */
const REDIS_STORE_DEFAULT_COMMAND_TIMEOUT_MS = 1000;

// Deletes the lock only while it still holds the caller's fence, atomically on the server.
const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

// Replaces an existing value only while the lock still holds the caller's fence.
const REPLACE_IF_LOCKED = `if redis.call('get', KEYS[2]) == ARGV[3] and redis.call('exists', KEYS[1]) == 1 then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 else return 0 end`;

/**
 * A store in Redis (ioredis 5), for apps that run more than one instance. Values are encrypted
 * with AES-256-GCM and bound to their full Redis key. Any Redis failure (refused connection,
 * timeout, closed client) becomes `CandescentUnavailableError` within `commandTimeoutMs`.
 */
@RedactedWhenPrinted()
export class RedisStore implements CandescentStore {
  private readonly client: CandescentRedisClient;
  private readonly ownsClient: boolean;
  private readonly cipher: ValueCipher;
  private readonly keyPrefix: string;
  private readonly boundTo?: string;
  private readonly commandTimeoutMs: number;
  private readonly hidden: string[] = [];
  private readonly logger = new CandescentLogger('CandescentRedisStore');
  /** Why the last connection attempt failed, kept to explain commands that fail without a cause of their own. */
  private connectionError?: { reason: string; code?: string };

  /**
   * @throws CandescentConfigurationError for a bad key or key list, URL, cluster node, prefix or
   *   timeout, or not exactly one of `url`, `client` and `cluster`.
   */
  constructor(options: RedisStoreOptions) {
    if ((options.encryptionKey === undefined) === (options.encryptionKeys === undefined)) {
      throw configError('encryptionKey', 'given, or else encryptionKeys (a list, newest first), but not both');
    }
    this.cipher =
      options.encryptionKeys === undefined
        ? ValueCipher.fromKey(options.encryptionKey ?? '')
        : ValueCipher.fromKeys(options.encryptionKeys);
    this.keyPrefix = options.keyPrefix ?? 'candescent:';
    // A brace in the prefix would become the hash tag of every key and put values and locks apart.
    if (/[{}]/.test(this.keyPrefix)) throw configError('keyPrefix', 'a prefix without braces');
    this.boundTo = options.boundTo;
    this.commandTimeoutMs = options.commandTimeoutMs ?? REDIS_STORE_DEFAULT_COMMAND_TIMEOUT_MS;
    if (!Number.isFinite(this.commandTimeoutMs) || this.commandTimeoutMs <= 0) {
      throw configError('commandTimeoutMs', 'a positive number of milliseconds');
    }
    const given = REDIS_CONNECTION_FIELDS.filter((field) => options[field] !== undefined);
    if (given.length !== 1) {
      throw new CandescentConfigurationError(
        'RedisStore needs exactly one of `url` (redis://host:port), `client` (an ioredis instance) and `cluster` ({ nodes })',
        [{ field: 'url', expected: `exactly one of ${REDIS_CONNECTION_FIELDS.join(', ')}` }],
      );
    }
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
      return;
    }
    this.client = this.watch(
      options.cluster
        ? connectCluster(options.cluster, { commandTimeoutMs: this.commandTimeoutMs })
        : this.connect(options.url ?? ''),
    );
    this.ownsClient = true;
  }

  /** The value, or undefined when absent, expired, or unreadable (altered / other key: logged). */
  async get(key: string): Promise<string | undefined> {
    const redisKey = this.dataKey(key);
    const payload = await this.run('get', () => this.client.get(redisKey));
    if (payload === null) return undefined;
    try {
      return this.cipher.decrypt(payload, this.associatedData(redisKey));
    } catch (error) {
      if (!(error instanceof CandescentStoreIntegrityError)) throw error;
      // Treated as absent so the customer logs in again instead of failing until the TTL ends;
      // the key is not logged because it may carry a session handle.
      this.logger.warn('A stored value could not be decrypted and was ignored', error);
      return undefined;
    }
  }

  /** Stores an encrypted value with `SET ... PX ttlMs`; a ttl of zero or less removes the key. */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const ttl = entryTtlMs(ttlMs);
    const redisKey = this.dataKey(key);
    if (ttl === undefined) {
      await this.run('delete', () => this.client.del(redisKey));
      return;
    }
    const payload = this.cipher.encrypt(value, this.associatedData(redisKey));
    await this.run('set', () => this.client.set(redisKey, payload, 'PX', ttl));
  }

  /** Removes a value; absent keys are fine. */
  async delete(key: string): Promise<void> {
    await this.run('delete', () => this.client.del(this.dataKey(key)));
  }

  /** `SET lock fence NX PX ttlMs`: the fence when taken, undefined while another lease holds. */
  async acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    const lease = leaseTtlMs(ttlMs);
    const fence = randomUUID();
    const reply = await this.run('acquireLock', () => this.client.set(this.lockKey(key), fence, 'PX', lease, 'NX'));
    return reply === 'OK' ? fence : undefined;
  }

  /** Replaces an existing value while `fence` still holds `lockKey` (one script, atomic on the server). */
  async replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string): Promise<boolean> {
    const ttl = entryTtlMs(ttlMs);
    if (ttl === undefined) return false;
    const redisKey = this.dataKey(key);
    const payload = this.cipher.encrypt(value, this.associatedData(redisKey));
    const reply = await this.run('replaceIfLocked', () =>
      this.client.eval(REPLACE_IF_LOCKED, 2, redisKey, this.lockKey(lockKey), payload, String(ttl), fence),
    );
    return reply === 1;
  }

  /** Releases the lease only while `fence` still owns it (compare-and-delete in one script). */
  async releaseLock(key: string, fence: string): Promise<void> {
    await this.run('releaseLock', () => this.client.eval(RELEASE_IF_OWNER, 1, this.lockKey(key), fence));
  }

  /** Quits the connection the store made; a client passed in is left to its owner. */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    // QUIT is only polite on a live connection; while (re)connecting it would wait for one, and
    // on a lazy client that never connected it would open one just to close it.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.run('close', () => this.client.quit());
    } catch {
      this.client.disconnect();
    }
  }

  /** The Redis key, and the app the value belongs to when the store is bound to one. */
  private associatedData(redisKey: string): string {
    return this.boundTo === undefined ? redisKey : `${redisKey}\n${this.boundTo}`;
  }

  private dataKey(key: string): string {
    return `${this.keyPrefix}data:${slotTagged(key)}`;
  }

  private lockKey(key: string): string {
    return `${this.keyPrefix}lock:${slotTagged(key)}`;
  }

  private connect(url: string): CandescentRedisClient {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw configError('url', 'a URL such as redis://127.0.0.1:6379');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw configError('url', `a redis:// or rediss:// URL, not ${parsed.protocol}//`);
    }
    if (parsed.password !== '') {
      const password = safeDecode(parsed.password);
      this.hidden.push(password, parsed.password);
      // Module-wide redaction too, in case a driver message reaches a log through another path.
      registerPermanentSecret(password);
    }
    const Redis = loadIoredis();
    return new Redis(url, redisServerOptions({ commandTimeoutMs: this.commandTimeoutMs }));
  }

  /** Logs connection trouble once per outage, for a client the store made. */
  private watch(client: CandescentRedisClient): CandescentRedisClient {
    // Without a listener ioredis prints every reconnect failure; log the transitions instead.
    client.on('error', (error: unknown) => {
      const first = this.connectionError === undefined;
      this.connectionError = { reason: this.scrub(describeError(error)), code: errorCode(error) };
      if (first) this.logger.warn('Redis store connection failed; retrying', this.connectionError.reason);
    });
    client.on('ready', () => {
      if (this.connectionError) this.logger.log('Redis store connection restored');
      this.connectionError = undefined;
    });
    return client;
  }

  /** Runs one command within `commandTimeoutMs`, turning any failure into `CandescentUnavailableError`. */
  private async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    // ioredis's own commandTimeout only applies to clients it was configured on, not to ones passed in.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no reply within ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([command(), timeout]);
    } catch (error) {
      let reason = this.scrub(error instanceof Error ? error.message : String(error));
      let code = errorCode(error);
      // "max retries reached" or a timeout says little; the connection error says why.
      if (code === undefined && this.connectionError) {
        reason += ` (last connection error: ${this.connectionError.reason})`;
        code = this.connectionError.code;
      }
      // Addresses, ports and driver settings are for operators, not for whoever sent the request.
      const traceId = CandescentContext.current()?.traceId;
      this.logger.warn(`Redis store unavailable during ${operation}${traceId ? ` (trace ${traceId})` : ''}: ${reason}`);
      throw new CandescentUnavailableError(STORE_UNAVAILABLE_MESSAGE, {
        errorType: 'STORE_ERROR',
        errorCode: 'STORE_UNAVAILABLE',
        networkCode: code,
        traceId,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes the URL's credentials and bounds the length of a driver message. */
  private scrub(text: string): string {
    let out = text;
    for (const secret of this.hidden) out = out.split(secret).join('[REDACTED]');
    return out.length > 300 ? `${out.slice(0, 300)}…` : out;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function configError(field: string, expected: string): CandescentConfigurationError {
  return new CandescentConfigurationError(`RedisStore ${field} must be ${expected}`, [{ field, expected }]);
}
