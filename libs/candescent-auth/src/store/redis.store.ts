import { randomUUID } from 'node:crypto';
import { CandescentContext } from '../context/request-context';
import { CandescentConfigurationError, CandescentUnavailableError } from '../errors/candescent-auth.error';
import { CandescentLogger } from '../logging/candescent-logger';
import type { CandescentStore } from './candescent-store.interface';
import type { CandescentRedisClient } from './redis-client.interface';
import { RedisConnection, RedisNotConnectedError } from './redis-connection';
import { RedisLockReleases } from './redis-lock-releases';
import { ReplicaAck, replicaAckWanted } from './redis-replica-ack';
import { bySlot, slotTagged } from './redis-keys';
import { ACQUIRE_OR_CONFIRM, RELEASE_IF_OWNER, REPLACE_IF_LOCKED, REPLACE_IF_UNCHANGED } from './redis-scripts';
import type { RedisStoreOptions } from './redis-store.options';
import { CandescentStoreIntegrityError } from './store-integrity.error';
import { entryTtlMs, leaseTtlMs } from './store-ttl';
import { ValueCipher } from './value-cipher';
import {
  callerFallsBack,
  FailoverWindow,
  failoverBackoffMs,
  isFailoverError,
  REDIS_STORE_DEFAULT_FAILOVER_DEADLINE_MS,
  RedisCommandTimeoutError,
} from './redis-failover';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/** What clients are told when Redis fails; the reason goes only to the log, under the trace id. */
export const STORE_UNAVAILABLE_MESSAGE = 'The session store is unavailable; try again shortly.';

/** Default of {@link RedisStoreOptions.commandTimeoutMs}. */
const REDIS_STORE_DEFAULT_COMMAND_TIMEOUT_MS = 1000;
/** A command timer this late means the process was starved of CPU, not that Redis was slow. */
const STARVED_LAG_MS = 100;

/**
 * A store in Redis (ioredis 5 or 6), for apps that run more than one instance. Values are encrypted
 * with AES-256-GCM and bound to their full Redis key. A command that meets a failover is retried
 * until `failoverDeadlineMs`; any failure that remains (refused connection, timeout, closed
 * client) becomes `CandescentUnavailableError`.
 */
@RedactedWhenPrinted()
export class RedisStore implements CandescentStore {
  /** Every instance connected to the same Redis sees the same values. */
  readonly sharedBetweenInstances = true;
  private readonly connection: RedisConnection;
  private readonly cipher: ValueCipher;
  private readonly keyPrefix: string;
  private readonly boundTo?: string;
  private readonly commandTimeoutMs: number;
  private readonly failover: FailoverWindow;
  private readonly replicaAck: ReplicaAck;
  private readonly lockReleases: RedisLockReleases;
  private readonly logger = new CandescentLogger('CandescentRedisStore');

  /**
   * @throws CandescentConfigurationError for a bad key or key list, URL, Sentinel list, cluster
   *   node, prefix, timeout, credentials or TLS material, or not exactly one of `url`,
   *   `sentinels`, `cluster` and `client`.
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
    const failoverDeadlineMs = options.failoverDeadlineMs ?? REDIS_STORE_DEFAULT_FAILOVER_DEADLINE_MS;
    if (!Number.isFinite(failoverDeadlineMs) || failoverDeadlineMs < 0) {
      throw configError('failoverDeadlineMs', 'zero or a positive number of milliseconds');
    }
    this.failover = new FailoverWindow(failoverDeadlineMs);
    this.connection = new RedisConnection(options, this.commandTimeoutMs);
    // Within one command timeout, with room for the write itself.
    this.replicaAck = new ReplicaAck(this.connection.client, Math.max(1, Math.floor(this.commandTimeoutMs / 2)));
    this.lockReleases = new RedisLockReleases(
      (lockKey, fence) => this.releaseAcknowledged(lockKey, fence),
      failoverDeadlineMs,
    );
  }

  private get client(): CandescentRedisClient {
    return this.connection.client;
  }

  /** The value, or undefined when absent, expired, or unreadable (altered / other key: logged). */
  async get(key: string): Promise<string | undefined> {
    const redisKey = this.dataKey(key);
    return this.open(redisKey, await this.run('get', () => this.client.get(redisKey)));
  }

  /**
   * Several values with one `MGET`: one round trip, one socket write and one timeout instead of
   * one per key (a guarded request reads four). On a cluster, one `MGET` per hash slot; a client
   * without `mget` reads key by key.
   */
  async getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    const mget = this.client.mget?.bind(this.client);
    if (!mget) return Promise.all(keys.map((key) => this.get(key)));
    const redisKeys = keys.map((key) => this.dataKey(key));
    const read = (group: readonly string[]) => this.run('get', () => mget(...group));
    let payloads: Array<string | null>;
    if ((this.client as { isCluster?: boolean }).isCluster !== true) payloads = await read(redisKeys);
    else {
      // A cluster answers MGET only for keys of one hash slot: one MGET per slot (a session's
      // records share one through their hash tag, so a guarded request still sends one).
      payloads = new Array<string | null>(redisKeys.length).fill(null);
      await Promise.all(
        bySlot(redisKeys).map(async (indexes) => {
          const values = await read(indexes.map((i) => redisKeys[i]));
          indexes.forEach((index, n) => (payloads[index] = values[n] ?? null));
        }),
      );
    }
    return redisKeys.map((redisKey, i) => this.open(redisKey, payloads[i] ?? null));
  }

  /**
   * Decrypts a payload read from `redisKey`. An unreadable one (altered, or written under
   * another key) is treated as absent, so the customer logs in again instead of failing until
   * the TTL ends; it is logged unless `quiet`, without the key, which may carry a session handle.
   */
  private open(redisKey: string, payload: string | null, { quiet = false } = {}): string | undefined {
    if (payload === null) return undefined;
    try {
      return this.cipher.decrypt(payload, this.associatedData(redisKey));
    } catch (error) {
      if (!(error instanceof CandescentStoreIntegrityError)) throw error;
      if (!quiet) this.logger.warn('A stored value could not be decrypted and was ignored', error);
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
    if (this.acknowledged()) {
      await this.run('set', () => this.replicaAck.write(redisKey, 'set', redisKey, payload, 'PX', String(ttl)));
      return;
    }
    await this.run('set', () => this.client.set(redisKey, payload, 'PX', ttl));
  }

  /** Whether the running write must be acknowledged by a replica (see `acknowledgedByReplica`). */
  private acknowledged(): boolean {
    return replicaAckWanted() && this.replicaAck.supported;
  }

  /** Removes a value; absent keys are fine. */
  async delete(key: string): Promise<void> {
    await this.run('delete', () => this.client.del(this.dataKey(key)));
  }

  /**
   * Takes the lock with a new fence (set if absent, in one script that also answers yes when the
   * fence already holds it, so a command sent twice through a failover is not refused by its own
   * first send): the fence when taken, undefined while another lease holds.
   */
  async acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    const lease = leaseTtlMs(ttlMs);
    const fence = randomUUID();
    const lockKey = this.lockKey(key);
    const sent: Array<Promise<unknown>> = [];
    let reply: unknown;
    try {
      reply = await this.run(
        'acquireLock',
        () => this.client.eval(ACQUIRE_OR_CONFIRM, 1, lockKey, fence, String(lease)),
        {
          sent,
        },
      );
    } catch (error) {
      this.releaseAbandoned(lockKey, fence, lease, sent);
      throw error;
    }
    if (reply === 1) {
      this.lockReleases.taken(lockKey, fence, lease);
      return fence;
    }
    // An earlier send still on its way (a timed-out attempt) may take the lock after this answer.
    if (sent.length > 1) this.releaseAbandoned(lockKey, fence, lease, sent);
    return undefined;
  }

  /**
   * A fence the caller will never hold, though a send of it may still take the lock (queued, or
   * answered after its timeout): released once every send has settled, on the connection they
   * went through (so Redis runs it after them), in the background, never throwing.
   */
  private releaseAbandoned(lockKey: string, fence: string, leaseMs: number, sent: Array<Promise<unknown>>): void {
    void Promise.allSettled(sent)
      .then(async () => {
        const until = performance.now() + leaseMs;
        await this.run('releaseLock', () => this.client.eval(RELEASE_IF_OWNER, 1, lockKey, fence), {
          quiet: true,
          ownDeadline: true,
        });
        if (await this.hasReplicas(lockKey)) await this.releaseReplicated(lockKey, fence, until);
      })
      .catch(() => undefined);
  }

  /** Replaces an existing value while `fence` still holds `lockKey` (one script, atomic on the server). */
  async replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string): Promise<boolean> {
    const ttl = entryTtlMs(ttlMs);
    if (ttl === undefined) return false;
    const redisKey = this.dataKey(key);
    const payload = this.cipher.encrypt(value, this.associatedData(redisKey));
    const args = [redisKey, this.lockKey(lockKey), payload, String(ttl), fence];
    const reply = await this.run('replaceIfLocked', () =>
      this.acknowledged()
        ? this.replicaAck.write(redisKey, 'eval', REPLACE_IF_LOCKED, '2', ...args)
        : this.client.eval(REPLACE_IF_LOCKED, 2, ...args),
    );
    return reply === 1;
  }

  /**
   * Replaces a value that still decrypts to `expected`. Ciphertexts differ at every write, so the
   * script compares the exact stored bytes read here: any write in between makes it refuse.
   */
  async replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = entryTtlMs(ttlMs);
    if (ttl === undefined) return false;
    const redisKey = this.dataKey(key);
    const stored = await this.run('get', () => this.client.get(redisKey));
    // An unreadable value is not the one the caller read: refuse the write.
    if (stored === null || this.open(redisKey, stored, { quiet: true }) !== expected) return false;
    const payload = this.cipher.encrypt(value, this.associatedData(redisKey));
    const args = [redisKey, stored, payload, String(ttl)];
    const reply = await this.run('replaceIfUnchanged', () =>
      this.acknowledged()
        ? this.replicaAck.write(redisKey, 'eval', REPLACE_IF_UNCHANGED, '1', ...args)
        : this.client.eval(REPLACE_IF_UNCHANGED, 1, ...args),
    );
    return reply === 1;
  }

  /**
   * Releases the lease only while `fence` still owns it (compare-and-delete in one script). On a
   * master with replicas the release is acknowledged by one (`WAIT 1`): a release the master
   * answered but did not replicate before failing would leave the lock held on the promoted
   * replica until its lease ends. One not acknowledged (no replica in time, or the connection
   * failed) is sent again in the background until one is, or the lease is over anyway.
   */
  async releaseLock(key: string, fence: string): Promise<void> {
    const lockKey = this.lockKey(key);
    const until = this.lockReleases.releasing(lockKey, fence);
    if (!(await this.hasReplicas(lockKey))) {
      await this.run('releaseLock', () => this.client.eval(RELEASE_IF_OWNER, 1, lockKey, fence));
      return;
    }
    await this.releaseReplicated(lockKey, fence, until);
  }

  /** Whether releases of `lockKey` go through a replica's acknowledgement; unknown during a failover counts as yes. */
  private async hasReplicas(lockKey: string): Promise<boolean> {
    if (!this.replicaAck.supported) return false;
    try {
      return await this.replicaAck.replicated(lockKey);
    } catch (error) {
      return isFailoverError(error, this.connection.lastFailure);
    }
  }

  /** One acknowledged release now; when no replica confirmed it, again in the background (see `releaseLock`). */
  private async releaseReplicated(lockKey: string, fence: string, until: number): Promise<void> {
    try {
      if (await this.releaseAcknowledged(lockKey, fence)) return;
    } catch (error) {
      if (!isFailoverError(error, this.connection.lastFailure)) throw this.unavailable('releaseLock', error, false);
    }
    this.lockReleases.retry(lockKey, fence, until);
  }

  /** One release followed by `WAIT 1`: whether a replica acknowledged it (or the master has none). */
  private async releaseAcknowledged(lockKey: string, fence: string): Promise<boolean> {
    const acknowledged = await this.attempt(() =>
      this.replicaAck.writeUntilAcknowledged(lockKey, 'eval', RELEASE_IF_OWNER, '1', lockKey, fence),
    );
    this.failover.succeeded();
    return acknowledged;
  }

  /**
   * Resolves when Redis answers within `commandTimeoutMs` (PING), rejects with
   * `CandescentUnavailableError` otherwise. Failures are not logged one by one: the connection
   * logs when it goes down and when it is back.
   */
  async ping(): Promise<void> {
    await this.run('ping', () => this.client.ping?.() ?? this.client.get(`${this.keyPrefix}ping`), {
      quiet: true,
      wait: false,
    });
  }

  /** Quits the connection the store made; a client passed in is left to its owner. */
  async close(): Promise<void> {
    this.lockReleases.close();
    this.replicaAck.close();
    if (!this.connection.owned) {
      this.connection.detach();
      return;
    }
    // QUIT is only polite on a live connection; while (re)connecting it would wait for one, and
    // on a lazy client that never connected it would open one just to close it.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.run('close', () => this.client.quit(), { wait: false });
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

  /**
   * Runs one command, each attempt within `commandTimeoutMs`; an attempt that meets a failover is
   * tried again (unless `wait` is false) until the failover deadline: the request's, or its own
   * with `ownDeadline`. Any failure that remains becomes `CandescentUnavailableError`. `sent`
   * collects each attempt's command, settled once Redis answered it or it was dropped (an attempt
   * that timed out may still run).
   */
  private async run<T>(
    operation: string,
    command: () => Promise<T>,
    {
      quiet = false,
      wait = true,
      ownDeadline = false,
      sent,
    }: { quiet?: boolean; wait?: boolean; ownDeadline?: boolean; sent?: Array<Promise<unknown>> } = {},
  ): Promise<T> {
    const startedAt = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.attempt(command, sent);
        this.failover.succeeded();
        return result;
      } catch (error) {
        const now = performance.now();
        const failover = wait && isFailoverError(error, this.connection.lastFailure);
        const until = failover ? this.failover.retryUntil(startedAt, now, ownDeadline) : undefined;
        // A caller with a fallback of its own (the shared institution-token cache) is not kept
        // waiting through a failover, and says once per outage that it falls back: to it, a
        // failover error is not a failure to warn about on every call.
        if (until === undefined) throw this.unavailable(operation, error, quiet, failover && callerFallsBack());
        await new Promise((resolve) => setTimeout(resolve, failoverBackoffMs(attempt, now, until)).unref());
      }
    }
  }

  /** One attempt of a command within `commandTimeoutMs` (twice it while the process is starved). */
  private async attempt<T>(command: () => Promise<T>, sent?: Array<Promise<unknown>>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    // ioredis's own commandTimeout only applies to clients it was configured on, not to ones passed in.
    const timeout = new Promise<never>((_, reject) => {
      let due = performance.now() + this.commandTimeoutMs;
      let extended = false;
      const expire = () => {
        // Fired late: the process, not Redis, was slow. The reply may be waiting unread; one more period.
        if (!extended && performance.now() - due > STARVED_LAG_MS) {
          extended = true;
          due = performance.now() + this.commandTimeoutMs;
          timer = setTimeout(expire, this.commandTimeoutMs);
          timer.unref();
          return;
        }
        // Replies already on the socket are read (poll phase) before setImmediate callbacks run.
        setImmediate(() => {
          reject(new RedisCommandTimeoutError(this.commandTimeoutMs));
        });
      };
      timer = setTimeout(expire, this.commandTimeoutMs);
      timer.unref();
    });
    try {
      const sending = this.connection.usable().then(command);
      sent?.push(sending);
      return await Promise.race([sending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The fixed error for a command that failed for good; the reason goes to the log under the trace id. */
  private unavailable(operation: string, error: unknown, quiet: boolean, minor = false): CandescentUnavailableError {
    let reason = this.connection.scrub(error instanceof Error ? error.message : String(error));
    let code = errorCode(error);
    // "max retries reached" or a timeout says little; the connection error says why.
    const failure = this.connection.lastFailure;
    if (code === undefined && failure) {
      reason += ` (last connection error: ${failure.reason})`;
      code = failure.code;
    }
    // Addresses, ports and driver settings are for operators, not for whoever sent the request.
    const traceId = CandescentContext.current()?.traceId;
    const line = `Redis store unavailable during ${operation}${traceId ? ` (trace ${traceId})` : ''}: ${reason}`;
    // A command refused because the connection is known to be down adds nothing to the warning
    // the connection gave when it went down: at debug level, a busy outage does not flood the log.
    // So does a failover met by a caller that falls back (`minor`). Quiet callers (health probes)
    // report the outcome themselves.
    if (!quiet && (minor || error instanceof RedisNotConnectedError)) this.logger.debug(line);
    else if (!quiet) this.logger.warn(line);
    return new CandescentUnavailableError(STORE_UNAVAILABLE_MESSAGE, {
      errorType: 'STORE_ERROR',
      errorCode: 'STORE_UNAVAILABLE',
      networkCode: code,
      traceId,
    });
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function configError(field: string, expected: string): CandescentConfigurationError {
  return new CandescentConfigurationError(`RedisStore ${field} must be ${expected}`, [{ field, expected }]);
}
