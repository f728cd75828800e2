import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';

/** A throwaway `redis-server` on a free loopback port, without persistence. */
export interface BenchRedis {
  readonly url: string;
  /** Empties it, so the next scenario starts cold. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** A port that was free on 127.0.0.1 a moment ago. */
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

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `redis-server` from PATH and waits until it answers PING. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--port', String(port), '--loglevel', 'warning'],
    {
      stdio: 'ignore',
    },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => {
      reject(new Error(`redis-server could not start (is it installed and on PATH?): ${error.message}`));
    });
  });
  failed.catch(() => undefined);
  const url = `redis://127.0.0.1:${port}`;
  let client: Redis;
  for (let attempt = 0; ; attempt++) {
    client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await Promise.race([client.connect(), failed]);
      await client.ping();
      break;
    } catch (error) {
      client.disconnect();
      if (attempt >= 100) {
        await stopProcess(child);
        throw error;
      }
      await sleep(50);
    }
  }
  return {
    url,
    flush: async () => {
      await client.flushall();
    },
    stop: async () => {
      client.disconnect();
      await stopProcess(child);
    },
  };
}
