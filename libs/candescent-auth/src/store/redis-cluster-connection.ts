import { isIP } from 'node:net';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { loadIoredis } from './load-ioredis';
import type { CandescentRedisClient, CandescentRedisClusterOptions } from './redis-client.interface';

/**
 * The ways to reach Redis; the `redis` option (and `RedisStore`) takes exactly one of them.
 * A new way is one more name here plus its field and its branch in `RedisConnection`.
 */
export const REDIS_CONNECTION_FIELDS = ['url', 'sentinels', 'cluster', 'client'] as const;

/** The settings every connection the store makes shares. */
export interface RedisConnectionSettings {
  commandTimeoutMs: number;
}

/** The connection options of one Redis server, for standalone clients and each cluster node alike. */
export function redisServerOptions({ commandTimeoutMs }: RedisConnectionSettings): RedisOptions {
  return {
    // Connect on first use, so building the module never blocks on Redis.
    lazyConnect: true,
    // Commands wait in the queue across a short reconnect, but never longer than commandTimeout.
    enableOfflineQueue: true,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    // A command waits for at most one reconnect attempt; attempts are capped at 500 ms apart,
    // so a dead Redis answers callers within about half a second.
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
    // ioredis otherwise keeps a 2 s timer after disconnecting a socket that never connected,
    // which holds the process open at shutdown; a local close handshake needs far less.
    disconnectTimeout: 200,
  };
}

/**
 * An ioredis `Cluster` over the seed nodes. While a master fails over, commands for its slots
 * are retried briefly (then fail within the store's command timeout, as unavailable); once a
 * replica is promoted, the client follows the MOVED answers to it.
 * @throws CandescentConfigurationError for a node that is not a host and a port
 */
export function connectCluster(
  options: CandescentRedisClusterOptions,
  settings: RedisConnectionSettings,
): CandescentRedisClient {
  const nodes = clusterNodesOf(options);
  const Redis = loadIoredis();
  const clusterOptions: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: true,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: settings.commandTimeoutMs,
    // Seeds all unreachable: try again, at most a second apart, rather than give up for good.
    clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    redisOptions: redisServerOptions(settings),
  };
  return new Redis.Cluster(nodes, clusterOptions);
}

/** The seed nodes as `{ host, port }`, every one checked. */
export function clusterNodesOf(options: CandescentRedisClusterOptions): Array<{ host: string; port: number }> {
  const nodes = (options as Partial<CandescentRedisClusterOptions> | undefined)?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw clusterError('cluster.nodes', 'a non-empty list of seed nodes, { host, port } or "host:port"');
  }
  return nodes.map((node, index) => {
    const parsed = parseNode(node);
    if (!parsed) {
      throw clusterError(`cluster.nodes[${index}]`, '{ host, port } or "host:port" with a port from 1 to 65535');
    }
    return parsed;
  });
}

/** `{ host, port }` from either form, or undefined when it is not a host and a valid port. */
export function parseNode(node: unknown): { host: string; port: number } | undefined {
  let host: unknown;
  let port: unknown;
  if (typeof node === 'string') {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(node.trim());
    if (!match) return undefined;
    host = match[1] || match[2];
    port = Number(match[3]);
  } else if (typeof node === 'object' && node !== null) {
    ({ host, port } = node as { host?: unknown; port?: unknown });
  }
  if (typeof host !== 'string' || !isHost(host)) return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host, port };
}

function isHost(host: string): boolean {
  return isIP(host) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host);
}

function clusterError(field: string, expected: string): CandescentConfigurationError {
  return new CandescentConfigurationError(`RedisStore ${field} must be ${expected}`, [{ field, expected }]);
}
