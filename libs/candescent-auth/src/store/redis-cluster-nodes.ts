import { isIP } from 'node:net';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import type { CandescentRedisClusterOptions } from './redis-client.interface';

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
