import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchAppConfig } from './apps/bench-app';
import type { BenchAppName } from './apps';
import { ChildHandle } from './child-handle';
import { E2E_SETTINGS } from './e2e.settings';
import type { BenchRedis } from './redis-server';

/** A contender of the cold stampede: an outgoing-GET app started as several processes. */
export interface StampedeContender {
  readonly name: string;
  readonly app: BenchAppName;
}

/** What one cold stampede cost. */
export interface StampedeResult {
  contender: string;
  /** Token requests the token endpoint received, process start-up included. */
  tokenRequests: number;
  ok: number;
  failed: number;
  wallMs: number;
  /** Log lines of the processes saying the shared store failed and they fetched without it. */
  storeFallbacks: number;
  /** Log lines of the processes saying a Redis command got no reply in time (or failed otherwise). */
  storeErrors: number;
}

/** What the Redis store logs for a command that failed or got no reply within its timeout. */
const STORE_ERROR_LINE = 'Redis store unavailable during';

/** What the module logs (once per outage) when it falls back from the shared store to a token request of its own. */
const STORE_FALLBACK_LINE = 'shared token store is unavailable';

/** GET `url` once on its own connection; resolves with the status (0 when the connection failed). */
function call(url: string, agent: Agent, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', () => {
      resolve(0);
    });
    // A call that hangs counts as failed instead of holding the whole bench.
    req.setTimeout(timeoutMs, () => {
      req.destroy();
    });
  });
}

/**
 * Starts the contender's app `stampedeProcesses` times on one Redis (emptied first) and fires
 * all calls at once, split over the processes, on cold caches. Counts token requests at the
 * token endpoint from before the processes start, so a token fetched at start-up counts too.
 */
export async function runStampede(
  contender: StampedeContender,
  config: BenchAppConfig,
  redis: BenchRedis,
  tokenRequestsSoFar: () => Promise<number>,
  callTimeoutMs: number,
): Promise<StampedeResult> {
  await redis.flush();
  const before = await tokenRequestsSoFar();
  const processes = E2E_SETTINGS.stampedeProcesses;
  const started = await Promise.allSettled(
    Array.from({ length: processes }, (_, i) =>
      ChildHandle.start(`stampede ${contender.app} #${i + 1}`, join(__dirname, 'app.process.js'), [
        contender.app,
        JSON.stringify(config),
      ]),
    ),
  );
  const children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    // The processes are up before the traffic, as in a real cluster: let them finish connecting
    // to Redis, so the stampede measures cold token caches, not half-open connections.
    await sleep(E2E_SETTINGS.stampedeSettleMs);
    const perProcess = Math.floor(E2E_SETTINGS.stampedeCalls / processes);
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const began = performance.now();
    const statuses = await Promise.all(
      children.flatMap(({ ready }) =>
        Array.from({ length: perProcess }, () =>
          call(`http://127.0.0.1:${Number(ready.port)}/outgoing`, agent, callTimeoutMs),
        ),
      ),
    );
    const wallMs = performance.now() - began;
    agent.destroy();
    const ok = statuses.filter((status) => status >= 200 && status < 300).length;
    const logged = (text: string) => children.reduce((sum, { handle }) => sum + handle.linesContaining(text), 0);
    const storeFallbacks = logged(STORE_FALLBACK_LINE);
    return {
      contender: contender.name,
      tokenRequests: (await tokenRequestsSoFar()) - before,
      ok,
      failed: statuses.length - ok,
      wallMs,
      storeFallbacks,
      storeErrors: logged(STORE_ERROR_LINE),
    };
  } finally {
    await Promise.all(children.map(({ handle }) => handle.stop()));
  }
}
