import type IORedis from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { CandescentLogger, describeError } from '../logging/candescent-logger';
import { registerPermanentSecret } from '../logging/redact';
import { loadIoredis } from './load-ioredis';
import { REDIS_CONNECTION_FIELDS, type RedisConnectionTarget, redisSecurityProblems } from './redis-access';
import type { CandescentRedisClient, CandescentRedisClusterOptions } from './redis-client.interface';
import { clusterNodesOf } from './redis-cluster-nodes';
import type { CandescentRedisTlsOptions } from './redis-tls';
import { type CandescentSentinelAddress, parseSentinelAddress } from './sentinel-address';

/** Why the connection is down: kept to explain commands that fail without a cause of their own. */
export interface RedisConnectionFailure {
  reason: string;
  code?: string;
}

/** A command was not sent: the connection is known to be down. */
export class RedisNotConnectedError extends Error {
  constructor() {
    super('Redis is not connected');
    this.name = 'RedisNotConnectedError';
  }
}

/**
 * The Redis client of a store and what is known about its health. Commands are sent only while
 * the connection may work: while it is known to be down they fail at once instead of queueing,
 * so a dead Redis costs callers nothing and no stale command (a lock taken after its caller gave
 * up) runs when Redis returns.
 */
export class RedisConnection {
  readonly client: CandescentRedisClient;
  /** Whether the store made the client (and so quits it, and chose its queueing settings). */
  readonly owned: boolean;
  private readonly logger = new CandescentLogger('CandescentRedisStore');
  private readonly hidden: string[] = [];
  private failure?: RedisConnectionFailure;
  /** Settled by the next `ready`, `error` or `end`: what a command waits for while connecting. */
  private outcome?: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
  private readonly onError = (error: unknown) => {
    const first = this.failure === undefined;
    this.failure = { reason: this.scrub(describeFailure(error)), code: errorCode(error) };
    if (first) this.logger.warn('Redis store connection failed; retrying', this.failure.reason);
    this.settle(error instanceof Error ? error : new Error(String(error)));
  };
  private readonly onReady = () => {
    if (this.failure) this.logger.log('Redis store connection restored');
    this.failure = undefined;
    this.settle();
  };
  private readonly onEnd = () => {
    this.settle(new Error('Connection is closed.'));
  };

  constructor(target: RedisConnectionTarget, commandTimeoutMs: number) {
    const given = REDIS_CONNECTION_FIELDS.filter((source) => target[source] !== undefined);
    if (given.length !== 1) {
      throw new CandescentConfigurationError(
        'RedisStore needs exactly one of `url` (redis://host:port), `sentinels` (with `name`), `cluster` ({ nodes }) and `client` (an ioredis instance)',
        [{ field: 'url', expected: `exactly one of ${REDIS_CONNECTION_FIELDS.join(', ')}` }],
      );
    }
    const problem = redisSecurityProblems(target).at(0);
    if (problem) throw configError(problem.field.replace(/^redis\./, ''), problem.expected);
    if (target.client) {
      this.client = target.client;
      this.owned = false;
    } else {
      // Kept out of every message the store writes, and of the module's logs, for the life of the process.
      this.hide(target.password, target.sentinelPassword, ...privateKeys(target));
      const settings = { ...connectionSettings(commandTimeoutMs), ...serverAccess(target) };
      this.client =
        target.url !== undefined
          ? this.fromUrl(target.url, settings)
          : target.cluster !== undefined
            ? this.fromCluster(target.cluster, settings, commandTimeoutMs)
            : this.fromSentinels(target, settings, commandTimeoutMs);
      this.owned = true;
    }
    // Also on the app's client: without an 'error' listener ioredis prints every reconnect failure,
    // and the store needs to know the connection is down to fail fast.
    this.client.on('error', this.onError);
    this.client.on('ready', this.onReady);
    this.client.on('end', this.onEnd);
  }

  /** Why the connection is down, or undefined while it is up or (re)connecting after a clean close. */
  get lastFailure(): RedisConnectionFailure | undefined {
    return this.client.status === 'ready' ? undefined : this.failure;
  }

  /**
   * Resolves when a command may be sent; rejects at once while the connection is known to be
   * down. The store's own client (no offline queue) waits for a connection in progress.
   */
  async usable(): Promise<void> {
    const status = this.client.status;
    if (status === 'ready' || status === 'end') return;
    if (this.failure) throw new RedisNotConnectedError();
    // The app's client queues (or not) as the app configured it.
    if (!this.owned) return;
    const outcome = this.nextOutcome();
    if (status === 'wait') (this.client as unknown as IORedis).connect().catch(() => undefined);
    await outcome;
  }

  /** Removes the URL's credentials and bounds the length of a driver message. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.hidden) out = out.split(secret).join('[REDACTED]');
    return out.length > 300 ? `${out.slice(0, 300)}…` : out;
  }

  /** Stops listening to the app's client (the store's own is quit by the store). */
  detach(): void {
    this.client.off?.('error', this.onError);
    this.client.off?.('ready', this.onReady);
    this.client.off?.('end', this.onEnd);
  }

  private nextOutcome(): Promise<void> {
    if (!this.outcome) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A caller that timed out meanwhile no longer listens; its rejection must not go unhandled.
      promise.catch(() => undefined);
      this.outcome = { promise, resolve, reject };
    }
    return this.outcome.promise;
  }

  private settle(error?: Error): void {
    const outcome = this.outcome;
    this.outcome = undefined;
    if (error) outcome?.reject(error);
    else outcome?.resolve();
  }

  private fromUrl(url: string, settings: RedisOptions): CandescentRedisClient {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw configError('url', 'a URL such as redis://127.0.0.1:6379');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw configError('url', `a redis:// or rediss:// URL, not ${parsed.protocol}//`);
    }
    if (parsed.password !== '') this.hide(safeDecode(parsed.password), parsed.password);
    const Redis = loadIoredis();
    // ioredis takes the URL's credentials and scheme over the settings (rediss:// means TLS).
    return new Redis(url, settings);
  }

  /** Keeps a secret out of the store's messages and, module-wide, out of every log line. */
  private hide(...secrets: Array<string | undefined>): void {
    for (const secret of secrets) {
      if (!secret) continue;
      this.hidden.push(secret);
      registerPermanentSecret(secret);
    }
  }

  private fromSentinels(
    target: RedisConnectionTarget,
    settings: RedisOptions,
    commandTimeoutMs: number,
  ): CandescentRedisClient {
    const sentinels = (target.sentinels ?? []).map(parseSentinelAddress);
    if (sentinels.length === 0 || sentinels.some((address) => address === undefined)) {
      throw configError('sentinels', "a non-empty list of Sentinel addresses, each 'host:port' or { host, port }");
    }
    if (target.name === undefined || !/^[A-Za-z0-9._-]{1,64}$/.test(target.name)) {
      throw configError('name', 'the Sentinel master group name (letters, digits, dot, underscore or dash)');
    }
    const Redis = loadIoredis();
    return new Redis({
      ...settings,
      // ioredis uses `tls` for the master only with this flag; without `tls` it stays plain TCP.
      enableTLSForSentinelMode: target.tls !== undefined,
      sentinelUsername: target.sentinelUsername,
      sentinelPassword: target.sentinelPassword,
      sentinelTLS: target.sentinelTls && tlsSettings(target.sentinelTls),
      sentinels: sentinels as CandescentSentinelAddress[],
      name: target.name,
      // A Sentinel that hangs must not hold the reconnection up; the next one is asked instead.
      sentinelCommandTimeout: commandTimeoutMs,
      sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
      // A master demoted to replica answers writes with READONLY: ask the Sentinels again.
      reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 1 : false),
      // ioredis 6 widens `tls` (named cloud profiles) past what its Sentinel overload names; 5 and 6 both take this.
    } as RedisOptions);
  }
  /**
   * An ioredis `Cluster` over the seed nodes. While a master fails over, commands for its slots
   * are retried briefly (then fail within the command timeout, as unavailable); once a replica
   * is promoted, the client follows the MOVED answers to it.
   */
  private fromCluster(
    options: CandescentRedisClusterOptions,
    settings: RedisOptions,
    commandTimeoutMs: number,
  ): CandescentRedisClient {
    const nodes = clusterNodesOf(options);
    const Redis = loadIoredis();
    // A Cluster queues a command while it learns the slots or follows a failover; the queue is
    // bounded by commandTimeout, on the cluster and on each node alike. Credentials and TLS go
    // to every node.
    const queued = { ...settings, enableOfflineQueue: true };
    const clusterOptions: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: true,
      // As on a single server: one write per node for the commands of one tick.
      enableAutoPipelining: true,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: commandTimeoutMs,
      // Seeds all unreachable: try again, at most a second apart, rather than give up for good.
      clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
      redisOptions: queued,
      // With TLS, seeds are reached by the names given (not an address looked up first), so a
      // certificate issued for a name is checked against that name.
      ...(settings.tls
        ? {
            dnsLookup: (address: string, found: (error: null, address: string) => void) => {
              found(null, address);
            },
          }
        : {}),
    };
    return new Redis.Cluster(nodes, clusterOptions);
  }
}

/** Credentials and TLS of the Redis server(s): the same for a URL's server, a Sentinel's master and every Cluster node. */
function serverAccess(target: RedisConnectionTarget): RedisOptions {
  return {
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls === undefined ? {} : { tls: tlsSettings(target.tls) }),
  };
}

/** Node's TLS settings from ours: only the fields there are, so Node's trusted CAs apply without `ca`. */
function tlsSettings(tls: CandescentRedisTlsOptions): NonNullable<RedisOptions['tls']> {
  const { ca, cert, key, servername } = tls;
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(servername === undefined ? {} : { servername }),
  };
}

/** The client private keys given, as text, to be kept out of messages. */
function privateKeys(target: RedisConnectionTarget): string[] {
  return [target.tls?.key, target.sentinelTls?.key].flatMap((key) =>
    key === undefined ? [] : [Buffer.isBuffer(key) ? key.toString('utf8') : key].map((pem) => pem.trim()),
  );
}

/** Connection settings of the store's own client: fail fast while Redis is away, reconnect forever. */
function connectionSettings(commandTimeoutMs: number): RedisOptions {
  return {
    // Connect on first use, so building the module never blocks on Redis.
    lazyConnect: true,
    // No queue while disconnected: a command waits only for a connection in progress (see
    // RedisConnection.usable), never for a Redis that is down, and never runs after its caller gave up.
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    // Commands issued in the same tick (the guards of concurrent requests) go out in one write:
    // under load that is one system call for many session reads instead of one each.
    enableAutoPipelining: true,
    // Reconnection attempts at most 500 ms apart, for as long as it takes: recovery needs no restart.
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
    // ioredis otherwise keeps a 2 s timer after disconnecting a socket that never connected,
    // which holds the process open at shutdown; a local close handshake needs far less.
    disconnectTimeout: 200,
  };
}

/** The error, and for a Cluster that reached no node the last node's own error (a refused password, a certificate). */
function describeFailure(error: unknown): string {
  const lastNodeError = (error as { lastNodeError?: unknown } | null)?.lastNodeError;
  const described = describeError(error);
  return lastNodeError instanceof Error ? `${described} (last node error: ${describeError(lastNodeError)})` : described;
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
