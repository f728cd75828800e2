import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort } from '../e2e/redis-server';

const run = promisify(execFile);

/** Which replicated Redis a failover run uses. */
export type SoakTopologyKind = 'cluster' | 'sentinel';

/** A throwaway replicated Redis on loopback whose master the soak kills mid-run. */
export interface SoakTopology {
  readonly kind: SoakTopologyKind;
  /** What the sample app needs to reach it (`REDIS_CLUSTER_NODES`, or `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`). */
  readonly env: Record<string, string>;
  /** How it was configured, for the report. */
  readonly described: string;
  /** Kills a master with SIGKILL (on a Cluster, one of the three at random); resolves to its port. */
  killMaster(): Promise<number>;
  /** Resolves once a replica serves in the killed master's place; the ms it took from the kill. */
  promoted(): Promise<number>;
  stop(): Promise<void>;
}

/** `cluster-node-timeout` of the Cluster runs. */
export const CLUSTER_NODE_TIMEOUT_MS = 5_000;
/** `down-after-milliseconds` of the Sentinel runs. */
export const SENTINEL_DOWN_AFTER_MS = 2_000;
const SENTINEL_NAME = 'soak-master';

interface Process {
  port: number;
  child: ChildProcess;
}

async function command(port: number, ...args: string[]): Promise<string> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const reply = await client.call(args[0], ...args.slice(1));
    return Array.isArray(reply) ? reply.join(',') : String(reply);
  } finally {
    client.disconnect();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function startProcess(args: (port: number) => string[]): Promise<Process> {
  const port = await freePort();
  const child = spawn('redis-server', args(port), { stdio: 'ignore' });
  child.once('error', () => undefined);
  await until(async () => (await command(port, 'PING')) === 'PONG', 10_000, `redis-server on port ${port}`);
  return { port, child };
}

function stopProcess({ child }: Process): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGKILL');
  });
}

const serverArgs = (dir: string, port: number, ...more: string[]) => [
  '--save',
  '',
  '--appendonly',
  'no',
  '--bind',
  '127.0.0.1',
  '--port',
  String(port),
  '--dir',
  dir,
  '--loglevel',
  'warning',
  ...more,
];

/** A 6-node Cluster (3 masters, 3 replicas) with `cluster-node-timeout` 5 s. */
export async function startSoakCluster(): Promise<SoakTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-cluster-'));
  const nodes: Process[] = [];
  const stop = async () => {
    await Promise.all(nodes.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 6; i++) {
      nodes.push(
        await startProcess((port) =>
          serverArgs(
            dir,
            port,
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            String(CLUSTER_NODE_TIMEOUT_MS),
          ),
        ),
      );
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 30_000,
    });
    const masters = async (): Promise<number[]> => {
      const live = nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
      const text = await command(live[0].port, 'CLUSTER', 'NODES');
      return text
        .split('\n')
        .map((line) => line.split(' '))
        .filter(([, , flags = '']) => flags.split(',').includes('master') && !flags.includes('fail'))
        .map(([, address = '']) => Number(/:(\d+)@/.exec(address)?.[1]));
    };
    const healthy = async () => {
      const live = nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
      const infos = await Promise.all(live.map((n) => command(n.port, 'CLUSTER', 'INFO')));
      return infos.every((info) => info.includes('cluster_state:ok')) && (await masters()).length === 3;
    };
    await until(healthy, 30_000, 'the Cluster formed');
    let killedAt = 0;
    let killed = 0;
    return {
      kind: 'cluster',
      env: { REDIS_CLUSTER_NODES: addresses.join(',') },
      described: `Redis Cluster, 3 masters and 3 replicas, cluster-node-timeout ${CLUSTER_NODE_TIMEOUT_MS} ms`,
      killMaster: async () => {
        const up = await masters();
        killed = up[Math.floor(Math.random() * up.length)];
        const victim = nodes.find((n) => n.port === killed);
        if (!victim) throw new Error(`master ${killed} is not one of the soak's nodes`);
        killedAt = Date.now();
        await stopProcess(victim);
        return killed;
      },
      promoted: async () => {
        await until(async () => !(await masters()).includes(killed) && (await healthy()), 60_000, 'a replica promoted');
        return Date.now() - killedAt;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A master, one replica and three Sentinels (quorum 2, `down-after-milliseconds` 2000), each
 * Sentinel a `redis-server --sentinel` with a config file of its own.
 */
export async function startSoakSentinel(): Promise<SoakTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-sentinel-'));
  const processes: Process[] = [];
  const stop = async () => {
    await Promise.all(processes.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const master = await startProcess((port) => serverArgs(dir, port));
    processes.push(master);
    const replica = await startProcess((port) =>
      serverArgs(dir, port, '--replicaof', '127.0.0.1', String(master.port)),
    );
    processes.push(replica);
    await until(
      async () => (await command(master.port, 'INFO', 'replication')).includes('state=online'),
      10_000,
      'the replica attached',
    );
    const sentinels: Process[] = [];
    for (let i = 0; i < 3; i++) {
      const sentinel = await startProcess((port) => {
        const file = join(dir, `sentinel-${i}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${master.port} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_NAME} ${SENTINEL_DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
            `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
            '',
          ].join('\n'),
        );
        return [file, '--sentinel', '--loglevel', 'warning'];
      });
      sentinels.push(sentinel);
      processes.push(sentinel);
    }
    await until(
      async () => {
        for (const s of sentinels) {
          if (!(await command(s.port, 'SENTINEL', 'CKQUORUM', SENTINEL_NAME)).startsWith('OK 3 usable')) return false;
          if (!(await command(s.port, 'SENTINEL', 'REPLICAS', SENTINEL_NAME)).includes(String(replica.port)))
            return false;
        }
        return true;
      },
      30_000,
      'the Sentinels agreed',
    );
    const masterPort = async () =>
      Number(
        /,(\d+)$/.exec(await command(sentinels[0].port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME))?.[1],
      );
    let killedAt = 0;
    return {
      kind: 'sentinel',
      env: {
        REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
        REDIS_SENTINEL_NAME: SENTINEL_NAME,
      },
      described: `Redis behind Sentinel: a master, a replica, three Sentinels (quorum 2), down-after-milliseconds ${SENTINEL_DOWN_AFTER_MS}`,
      killMaster: async () => {
        killedAt = Date.now();
        await stopProcess(master);
        return master.port;
      },
      promoted: async () => {
        await until(
          async () =>
            (await masterPort()) === replica.port && (await command(replica.port, 'ROLE')).startsWith('master'),
          60_000,
          'the replica promoted',
        );
        return Date.now() - killedAt;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
