import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
import { type RedisServerHandle, type RedisTlsFiles, startRedisProcess, startRedisServer } from './redis-server';
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

/** Options of {@link startSentinelTopology}; without them, plain TCP and no passwords. */
export interface SentinelTopologyOptions {
  /** TLS only, everywhere: the servers, replication, the Sentinels (their `tls-port`, `tls-replication`). */
  tls?: RedisTlsFiles;
  /** `requirepass` (and `masterauth`) of the master and replica; the Sentinels sign in with it. */
  password?: string;
  /** ACL users of the master and replica (`user` directives), e.g. the app's. */
  users?: string[];
  /** `requirepass` of the Sentinels themselves (they sign in to each other with it too). */
  sentinelPassword?: string;
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
export async function startSentinelTopology(options: SentinelTopologyOptions = {}): Promise<SentinelTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'candescent-sentinel-'));
  const processes: RedisServerHandle[] = [];
  const stop = async () => {
    await Promise.all(processes.map((process) => process.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const { tls, password, users, sentinelPassword } = options;
  const command = commandOver(tls);
  const serverCommand = (port: number, name: string, ...args: string[]) => command(port, password, name, ...args);
  const sentinelCommand = (port: number, name: string, ...args: string[]) =>
    command(port, sentinelPassword, name, ...args);
  try {
    // Replication goes through an RDB file even without persistence: keep it in the temp dir.
    // Either server may be the master later: both know the password a replica signs in with.
    const server = (...args: string[]) =>
      startRedisServer({
        tls,
        password,
        users,
        args: ['--dir', dir, ...(password ? ['--masterauth', password] : []), ...args],
      });
    const master = await server();
    processes.push(master);
    const replica = await server('--replicaof', '127.0.0.1', String(master.port));
    processes.push(replica);
    // Sentinels learn the replicas from the master's INFO, sent when they connect and then every
    // 10 s: the replica has to be attached before they start.
    await until(async () => (await serverCommand(master.port, 'INFO', 'replication')).includes('state=online'));
    for (let i = 0; i < 3; i++) {
      const sentinel = await startRedisProcess({
        args: (port) => {
          const file = join(dir, `sentinel-${i}.conf`);
          writeFileSync(
            file,
            [
              ...(tls
                ? [
                    'port 0',
                    `tls-port ${port}`,
                    `tls-cert-file ${tls.certFile}`,
                    `tls-key-file ${tls.keyFile}`,
                    `tls-ca-cert-file ${tls.caFile}`,
                    'tls-auth-clients yes',
                    // Sentinels reach the servers and each other over TLS.
                    'tls-replication yes',
                  ]
                : [`port ${port}`]),
              ...(sentinelPassword ? [`requirepass ${sentinelPassword}`] : []),
              'bind 127.0.0.1',
              `dir ${dir}`,
              `sentinel monitor ${NAME} 127.0.0.1 ${master.port} ${QUORUM}`,
              ...(password ? [`sentinel auth-pass ${NAME} ${password}`] : []),
              `sentinel down-after-milliseconds ${NAME} ${DOWN_AFTER_MS}`,
              `sentinel failover-timeout ${NAME} ${FAILOVER_TIMEOUT_MS}`,
              `sentinel parallel-syncs ${NAME} 1`,
              '',
            ].join('\n'),
          );
          return [file, '--sentinel', '--loglevel', 'warning'];
        },
        password: sentinelPassword,
        tls,
      });
      processes.push(sentinel);
    }
    const sentinelPorts = processes.slice(2).map((process) => process.port);
    await until(async () => {
      for (const port of sentinelPorts) {
        if (!(await sentinelCommand(port, 'SENTINEL', 'CKQUORUM', NAME)).startsWith('OK 3 usable')) return false;
        const replicas = await sentinelCommand(port, 'SENTINEL', 'REPLICAS', NAME);
        if (!replicas.includes(String(replica.port)) || /s_down|disconnected/.test(replicas)) return false;
      }
      return true;
    });

    const masterPort = async () => {
      for (const port of sentinelPorts) {
        const reply = await sentinelCommand(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME).catch(() => '');
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
          return promoted !== formerPort && (await serverCommand(promoted, 'ROLE')).startsWith('master');
        }, timeoutMs);
        return promoted;
      },
      async replicated() {
        const acknowledged = await serverCommand(await masterPort(), 'WAIT', '1', '2000');
        if (acknowledged !== '1')
          throw new Error(`the replica did not acknowledge the master's writes (${acknowledged})`);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One command on a short-lived connection (over TLS with `tls`); the reply flattened to text (arrays joined by commas). */
function commandOver(
  tls: RedisTlsFiles | undefined,
): (port: number, password: string | undefined, name: string, ...args: string[]) => Promise<string> {
  const secure = tls && {
    ca: readFileSync(tls.caFile),
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    checkServerIdentity: () => undefined,
  };
  return (port, password, name, ...args) => command({ port, password, tls: secure }, name, ...args);
}

async function command(target: RedisOptions, name: string, ...args: string[]): Promise<string> {
  const client = new Redis({ host: '127.0.0.1', ...target, lazyConnect: true, retryStrategy: () => null });
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
