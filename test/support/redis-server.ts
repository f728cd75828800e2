import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { describeWithBinary, findBinary, type SystemBinary } from './system-binary';

/** A running throwaway `redis-server`. */
export interface RedisServerHandle {
  /** `redis://[:password@]127.0.0.1:<port>` (`rediss://` with TLS) */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, as an operator would) and resolves once the process has exited. */
  stop(): Promise<void>;
  /** Kills the server without warning (SIGKILL, as a crashed host would) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a Redis that hangs. */
  pause(): void;
  /** Lets a paused server run on (SIGCONT), with its data. */
  resume(): void;
  /** Kills the server at once (SIGKILL, no shutdown of its own), as a crash would. */
  crash(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Sets `requirepass` and puts the password in the URL. */
  password?: string;
  /** This port instead of a free one (to start a server again where clients expect it). */
  port?: number;
  /** More `redis-server` arguments, e.g. `['--replicaof', '127.0.0.1', '6379']`. */
  args?: string[];
  /** More arguments, given the port picked (a cluster node needs its bus port and config file). */
  extraArgs?: (port: number) => string[];
  /**
   * TLS only: `--tls-port` on the port and `--port 0`, with these files; clients must show a
   * certificate of the CA (`tls-auth-clients yes`). Replication goes over TLS too.
   */
  tls?: RedisTlsFiles;
  /** ACL users, each a `user` directive's arguments, e.g. `'app on >pw ~* &* +@all'`. */
  users?: string[];
}

/** The files of a TLS server: its certificate and key (shown as the client certificate too) and the CA. */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** How {@link startRedisProcess} starts one `redis-server` process. */
export interface RedisProcessOptions {
  /** Every argument of `redis-server`, given the port it is to listen on. */
  args: (port: number) => string[];
  /** Sent with `AUTH` while waiting for the first PONG. */
  password?: string;
  /** This port instead of a free one. */
  port?: number;
  /** Reach it over TLS, trusting the CA and showing the certificate. */
  tls?: RedisTlsFiles;
}

const STARTUP_TIMEOUT_MS = 5000;

export const REDIS_SERVER: SystemBinary = {
  label: 'redis-server',
  names: ['redis-server'],
  pathVariable: 'REDIS_SERVER_BIN',
  requireVariable: 'REQUIRE_REDIS',
  debianPackage: 'redis-server',
};

/** The `redis-server` executable: `REDIS_SERVER_BIN`, or the first one on PATH. */
export function redisServerBinary(): string | undefined {
  return findBinary(REDIS_SERVER);
}

/** Whether a `redis-server` binary can be started on this machine. */
export function redisAvailable(): boolean {
  return redisServerBinary() !== undefined;
}

/** `describe` for suites that need a real Redis; see {@link describeWithBinary}. */
export function describeRedis(name: string, fn: () => void): void {
  describeWithBinary(REDIS_SERVER, name, fn);
}

/** Starts `redis-server` on a free loopback port, without persistence, and waits until it answers. */
export function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  return startRedisProcess({
    port: options.port,
    password: options.password,
    tls: options.tls,
    args: (port) => [
      '--save',
      '',
      '--appendonly',
      'no',
      '--bind',
      '127.0.0.1',
      ...(options.tls ? tlsArgs(port, options.tls) : ['--port', String(port)]),
      '--loglevel',
      'warning',
      ...(options.password ? ['--requirepass', options.password] : []),
      ...(options.users ?? []).flatMap((user) => ['--user', ...user.split(' ')]),
      ...(options.args ?? []),
      ...(options.extraArgs?.(port) ?? []),
    ],
  });
}

/** A TLS-only server on `port`, checking clients' certificates, replicating over TLS. */
export function tlsArgs(port: number, tls: RedisTlsFiles): string[] {
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--tls-cert-file',
    tls.certFile,
    '--tls-key-file',
    tls.keyFile,
    '--tls-ca-cert-file',
    tls.caFile,
    '--tls-auth-clients',
    'yes',
    '--tls-replication',
    'yes',
  ];
}

/**
 * Starts one `redis-server` process (a server, or a Sentinel with `--sentinel`) and waits until
 * it answers PING. Without a fixed port it takes a free one, and tries again when another
 * process took that port between the probe and the bind.
 */
export async function startRedisProcess(options: RedisProcessOptions): Promise<RedisServerHandle> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server not found on PATH');
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(binary, options.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    try {
      await waitForPing(child, port, options.password, options.tls);
    } catch (error) {
      await kill(child);
      if (attempt < 3 && options.port === undefined) continue;
      throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}\n${output}`);
    }
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    return {
      url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
      port,
      stop: () => kill(child),
      kill: () => kill(child, 'SIGKILL'),
      pause: () => child.kill('SIGSTOP'),
      resume: () => child.kill('SIGCONT'),
      crash: () => kill(child, 'SIGKILL'),
    };
  }
}

/** A loopback port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitForPing(child: ChildProcess, port: number, password?: string, tls?: RedisTlsFiles): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const secure = tls && {
    ca: readFileSync(tls.caFile),
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
  };
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    if (await ping(port, password, secure)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no PONG within ${STARTUP_TIMEOUT_MS} ms`);
}

/** One raw RESP round trip: true once the server answers PONG. */
function ping(port: number, password?: string, tls?: ConnectionOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls
      ? // Only waiting for the server to answer: which name its certificate carries is the suites' business.
        connectTls({ host: '127.0.0.1', port, checkServerIdentity: () => undefined, ...tls })
      : createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('+PONG')) done(true);
      else if (reply.startsWith('-') || reply.includes('\r\n-')) done(false);
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      socket.write((password ? resp(['AUTH', password]) : '') + resp(['PING']));
    });
  });
}

/** A command as a RESP array, so a password with spaces or quotes is sent as one argument. */
function resp(parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    // A paused server would not act on SIGTERM until it runs again.
    child.kill('SIGCONT');
    child.kill(signal);
  });
}
