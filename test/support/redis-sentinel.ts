import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type RedisServerHandle, startRedisProcess, startRedisServer } from './redis-server';
import { sleep } from './wait';

/** A master, a replica and three Sentinels watching them, all throwaway processes on loopback. */
export interface SentinelTopology {
  /** The master group name the Sentinels monitor. */
  readonly name: string;
  /** The Sentinels' addresses, as the module's `redis.sentinels` takes them. */
  readonly sentinels: { host: string; port: number }[];
  /** The server that was master at start. */
  readonly master: RedisServerHandle;
  /** The server that was its replica at start. */
  readonly replica: RedisServerHandle;
  /** The master's port as the Sentinels report it now. */
  masterPort(): Promise<number>;
  /** Waits until the Sentinels name a master other than `formerPort` and it accepts writes; returns its port. */
  waitForPromotion(formerPort: number, timeoutMs?: number): Promise<number>;
  /** Waits until the master's writes so far reached the replica (`WAIT 1`). */
  replicated(): Promise<void>;
  /** Stops every process and removes the Sentinels' config files. */
  stop(): Promise<void>;
}

const NAME = 'candescent-master';
const QUORUM = 2;
// Short enough that a failover takes a few seconds, long enough not to trip on a busy CI machine.
const DOWN_AFTER_MS = 1_000;
const FAILOVER_TIMEOUT_MS = 5_000;
const SETTLE_TIMEOUT_MS = 20_000;

/**
 * Starts a master, a replica (`--replicaof`) and three Sentinels (quorum 2) from Debian's
 * `redis-server` on free ports, and resolves once every Sentinel sees the master, the replica
 * and the two other Sentinels, so a failover can be authorised. Use one per suite file; call
 * `stop()` in `afterAll`.
 */
export async function startSentinelTopology(): Promise<SentinelTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'candescent-sentinel-'));
  const processes: RedisServerHandle[] = [];
  const stop = async () => {
    await Promise.all(processes.map((process) => process.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Replication goes through an RDB file even without persistence: keep it in the temp dir.
    const master = await startRedisServer({ args: ['--dir', dir] });
    processes.push(master);
    const replica = await startRedisServer({ args: ['--dir', dir, '--replicaof', '127.0.0.1', String(master.port)] });
    processes.push(replica);
    // Sentinels learn the replicas from the master's INFO, sent when they connect and then every
    // 10 s: the replica has to be attached before they start.
    await until(async () => (await command(master.port, 'INFO', 'replication')).includes('state=online'));
    for (let i = 0; i < 3; i++) {
      const sentinel = await startRedisProcess({
        args: (port) => {
          const file = join(dir, `sentinel-${i}.conf`);
          writeFileSync(
            file,
            [
              `port ${port}`,
              'bind 127.0.0.1',
              `dir ${dir}`,
              `sentinel monitor ${NAME} 127.0.0.1 ${master.port} ${QUORUM}`,
              `sentinel down-after-milliseconds ${NAME} ${DOWN_AFTER_MS}`,
              `sentinel failover-timeout ${NAME} ${FAILOVER_TIMEOUT_MS}`,
              `sentinel parallel-syncs ${NAME} 1`,
              '',
            ].join('\n'),
          );
          return [file, '--sentinel', '--loglevel', 'warning'];
        },
      });
      processes.push(sentinel);
    }
    const sentinelPorts = processes.slice(2).map((process) => process.port);
    await until(async () => {
      for (const port of sentinelPorts) {
        if (!(await command(port, 'SENTINEL', 'CKQUORUM', NAME)).startsWith('OK 3 usable')) return false;
        const replicas = await command(port, 'SENTINEL', 'REPLICAS', NAME);
        if (!replicas.includes(String(replica.port)) || /s_down|disconnected/.test(replicas)) return false;
      }
      return true;
    });

    const masterPort = async () => {
      for (const port of sentinelPorts) {
        const reply = await command(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME).catch(() => '');
        const found = /,(\d+)$/.exec(reply);
        if (found) return Number(found[1]);
      }
      throw new Error('no Sentinel answered with the master address');
    };
    return {
      name: NAME,
      sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      master,
      replica,
      masterPort,
      stop,
      async waitForPromotion(formerPort, timeoutMs = SETTLE_TIMEOUT_MS) {
        let promoted = formerPort;
        await until(async () => {
          promoted = await masterPort();
          return promoted !== formerPort && (await command(promoted, 'ROLE')).startsWith('master');
        }, timeoutMs);
        return promoted;
      },
      async replicated() {
        const acknowledged = await command(await masterPort(), 'WAIT', '1', '2000');
        if (acknowledged !== '1')
          throw new Error(`the replica did not acknowledge the master's writes (${acknowledged})`);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One command on a short-lived connection; the reply flattened to text (arrays joined by commas). */
async function command(port: number, name: string, ...args: string[]): Promise<string> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
  // A server being killed or started is the point of these suites: its errors are the replies' business.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return flatten(await client.call(name, ...args));
  } finally {
    client.disconnect();
  }
}

function flatten(reply: unknown): string {
  if (Array.isArray(reply)) return reply.map(flatten).join(',');
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

async function until(check: () => Promise<boolean>, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) throw new Error(`the Sentinel topology did not settle within ${timeoutMs} ms`);
    await sleep(100);
  }
}
