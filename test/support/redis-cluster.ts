import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { describeWithBinary, findBinary, type SystemBinary } from './system-binary';
import { freePort, REDIS_SERVER, type RedisServerHandle, type RedisTlsFiles, startRedisServer } from './redis-server';

const run = promisify(execFile);

const REDIS_CLI: SystemBinary = {
  label: 'redis-cli',
  names: ['redis-cli'],
  pathVariable: 'REDIS_CLI_BIN',
  requireVariable: 'REQUIRE_REDIS',
  debianPackage: 'redis-tools',
};

/** How long a node may be unreachable before the cluster fails it over (the Redis default is 15 s). */
export const CLUSTER_NODE_TIMEOUT_MS = 1_000;
const FORM_TIMEOUT_MS = 20_000;

/** A running throwaway Redis Cluster of 3 masters and 3 replicas on loopback. */
export interface RedisClusterHandle {
  /** Every node, as the `redis.cluster.nodes` option takes them. */
  readonly nodes: Array<{ host: string; port: number }>;
  /** `host:port` of every node, comma-separated (the sample's `REDIS_CLUSTER_NODES`). */
  readonly seeds: string;
  /** Runs `redis-cli -p <port> <args>` and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Ports of the nodes that are masters now, as the given node sees it. */
  masters(): Promise<number[]>;
  /**
   * Every key on every master (`redis-cli --scan`) with its `DUMP` (the serialized value as
   * Redis would copy it) and its value, all in one buffer to search for what must never be stored.
   */
  dumpAll(): Promise<{ keys: number; bytes: Buffer }>;
  /** Port of the master that holds `key`'s slot now. */
  ownerOf(key: string): Promise<number>;
  /** Kills a node with SIGKILL, as a crash would. */
  crash(port: number): Promise<void>;
  /**
   * Resolves once every live node reports `cluster_state:ok` with all slots served, by 3 masters
   * none of which has crashed (after a crash: once a replica was promoted in its place).
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}; without them, plain TCP and no password. */
export interface RedisClusterOptions {
  /** `requirepass` and `masterauth` of every node (the default user's password). */
  password?: string;
  /** ACL users of every node (`user` directives), e.g. the app's. */
  users?: string[];
  /** TLS only, the cluster bus and replication included (`tls-cluster`, `tls-replication`). */
  tls?: RedisTlsFiles;
}

/** `describe` for suites that need a Redis Cluster: redis-server and redis-cli, or a loud skip. */
export function describeRedisCluster(name: string, fn: () => void): void {
  describeWithBinary(findBinary(REDIS_SERVER) ? REDIS_CLI : REDIS_SERVER, name, fn);
}

/**
 * Starts 6 `redis-server` nodes in cluster mode on free loopback ports (each with its own bus
 * port, so ports near 65535 work), joins them with `redis-cli --cluster create
 * --cluster-replicas 1` and waits for `cluster_state:ok`. Nothing is persisted outside a temp
 * directory, which `stop()` removes. It takes a few seconds: start one per suite file.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const cliBinary = findBinary(REDIS_CLI);
  if (!cliBinary) throw new Error('redis-cli not found on PATH');
  const { password, users, tls } = options;
  const dir = await mkdtemp(join(tmpdir(), 'candescent-cluster-'));
  const servers = new Map<number, RedisServerHandle>();
  const tlsCli = tls ? ['--tls', '--cacert', tls.caFile, '--cert', tls.certFile, '--key', tls.keyFile] : [];
  // The password through the environment: on the command line redis-cli warns, and `ps` shows it.
  const cliEnv = { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) };
  const cliRun = (args: string[], timeout: number) => run(cliBinary, [...tlsCli, ...args], { timeout, env: cliEnv });
  const cli = async (port: number, ...args: string[]): Promise<string> =>
    (await cliRun(['-h', '127.0.0.1', '-p', String(port), ...args], 10_000)).stdout;
  const stop = async (): Promise<void> => {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    servers.clear();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const busPort = await freePort();
        return startRedisServer({
          password,
          users,
          tls,
          extraArgs: (port) => [
            ...(password ? ['--masterauth', password] : []),
            ...(tls ? ['--tls-cluster', 'yes'] : []),
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(busPort),
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            String(CLUSTER_NODE_TIMEOUT_MS),
            // A replica that lost its master a moment ago is still fit to take over.
            '--cluster-replica-validity-factor',
            '0',
            '--dir',
            dir,
          ],
        });
      }),
    );
    for (const server of started) servers.set(server.port, server);
    const ports = started.map((server) => server.port);
    await cliRun(
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
      FORM_TIMEOUT_MS,
    );
    const live = () => [...servers.keys()];
    const crashed = new Set<number>();
    const masters = async (): Promise<number[]> => {
      const [first] = live() as Array<number | undefined>;
      if (first === undefined) return [];
      // CLUSTER NODES: `<id> <ip:port@bus> <flags,...> ...`; a failed master is not counted.
      const text = await cli(first, 'cluster', 'nodes');
      return text
        .split('\n')
        .map((line) => line.split(' '))
        .filter(([, , flags = '']) => flags.split(',').includes('master') && !flags.includes('fail'))
        .map(([, address = '']) => Number(/:(\d+)@/.exec(address)?.[1]));
    };
    const waitUntilHealthy = async (timeoutMs = FORM_TIMEOUT_MS): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          live().map((port) =>
            cli(port, 'cluster', 'info').then(
              (info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384'),
              () => false,
            ),
          ),
        );
        const up = await masters();
        // A crashed master counts as gone only once a replica has taken its place.
        if (states.every(Boolean) && up.length === 3 && !up.some((port) => crashed.has(port))) return;
        if (Date.now() > deadline) throw new Error(`the Redis Cluster was not healthy within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await waitUntilHealthy();
    return {
      nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
      seeds: ports.map((port) => `127.0.0.1:${port}`).join(','),
      cli,
      masters,
      dumpAll: async () => {
        const parts: Buffer[] = [];
        let keys = 0;
        for (const port of await masters()) {
          const listed = (await cli(port, '--scan')).split('\n').filter(Boolean);
          keys += listed.length;
          const node = new Redis({ host: '127.0.0.1', port, password, tls: tlsOptions(tls), lazyConnect: true });
          try {
            // DUMP may LZF-compress a value; its plain bytes (GET, strings only here) are searched too.
            for (const key of listed) {
              parts.push(Buffer.from(key), await node.dumpBuffer(key), (await node.getBuffer(key)) ?? Buffer.alloc(0));
            }
          } finally {
            node.disconnect();
          }
        }
        return { keys, bytes: Buffer.concat(parts) };
      },
      ownerOf: async (key) => {
        const [asked] = (await masters()) as Array<number | undefined>;
        if (asked === undefined) throw new Error('no master is up');
        // A master answers for its own slots and sends the rest on: `MOVED <slot> <host>:<port>`.
        const reply = await cli(asked, 'exists', key);
        const moved = /MOVED \d+ [^:\s]+:(\d+)/.exec(reply);
        return moved ? Number(moved[1]) : asked;
      },
      crash: async (port) => {
        await servers.get(port)?.crash();
        servers.delete(port);
        crashed.add(port);
      },
      waitUntilHealthy,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The test's own TLS connection to a node by address: the CA and the nodes' certificate, no name check. */
function tlsOptions(tls: RedisTlsFiles | undefined): ConnectionOptions | undefined {
  return (
    tls && {
      ca: readFileSync(tls.caFile),
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      checkServerIdentity: () => undefined,
    }
  );
}
