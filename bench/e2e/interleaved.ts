import { join } from 'node:path';
import type { BenchAppConfig } from './apps/bench-app';
import type { BenchAppName } from './apps';
import { ChildHandle } from './child-handle';
import type { E2eProfile } from './e2e.settings';
import { runLoad, type LoadResult } from './load';

/** One contender of an end-to-end scenario: a route of an app under test. */
export interface LoadContender {
  readonly name: string;
  readonly app: BenchAppName;
  readonly path: string;
  /** Sends the session handle the app logged in with as bearer. */
  readonly withSession?: boolean;
}

/** One contender's window in one round. */
export interface RoundSample extends LoadResult {
  round: number;
  contender: string;
  /** CPU time of the app process over the window, per 2xx response. */
  cpuMicrosPerRequest: number;
}

interface RunningApp {
  handle: ChildHandle;
  port: number;
  sessionHandle?: string;
}

/** Starts one child per distinct app of the contenders, all at once (several routes of one app share it). */
async function startApps(
  contenders: readonly LoadContender[],
  config: BenchAppConfig,
): Promise<Map<BenchAppName, RunningApp>> {
  const names = [...new Set(contenders.map((c) => c.app))];
  const started = await Promise.allSettled(
    names.map((name) =>
      ChildHandle.start(`app ${name}`, join(__dirname, 'app.process.js'), [name, JSON.stringify(config)]),
    ),
  );
  const apps = new Map<BenchAppName, RunningApp>();
  started.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      const { handle, ready } = result.value;
      apps.set(names[i], {
        handle,
        port: Number(ready.port),
        sessionHandle: ready.sessionHandle as string | undefined,
      });
    }
  });
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all([...apps.values()].map((app) => app.handle.stop()));
    throw failure.reason;
  }
  return apps;
}

/** The contenders in round `round`'s order: A B C, then B C A, then C A B, ... */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/**
 * One request that must answer 2xx before any load: it fills the contender's token cache (and
 * opens its Redis connection), so the measured windows see a cached token, as the scenario says.
 */
async function prime(app: RunningApp, contender: LoadContender): Promise<void> {
  const headers: Record<string, string> = contender.withSession
    ? { authorization: `Bearer ${app.sessionHandle ?? ''}` }
    : {};
  const response = await fetch(`http://127.0.0.1:${app.port}${contender.path}`, {
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  if (!response.ok)
    throw new Error(`${contender.name} answered ${response.status} to its first request; it cannot be measured`);
}

async function window(
  app: RunningApp,
  contender: LoadContender,
  durationMs: number,
): Promise<{ load: LoadResult; cpuMicros: number }> {
  const headers: Record<string, string> = contender.withSession
    ? { authorization: `Bearer ${app.sessionHandle ?? ''}` }
    : {};
  await app.handle.request({ type: 'cpu-start' });
  const load = await runLoad(`http://127.0.0.1:${app.port}${contender.path}`, durationMs, headers);
  const { cpuMicros } = await app.handle.request({ type: 'cpu-stop' });
  return { load, cpuMicros: Number(cpuMicros) };
}

/**
 * Runs every contender for one window per round, interleaved and rotated so that a slow spell of
 * the machine lands on a different contender each round, after one unmeasured warm-up each.
 */
export async function runInterleaved(
  contenders: readonly LoadContender[],
  config: BenchAppConfig,
  profile: E2eProfile,
  log: (line: string) => void,
): Promise<RoundSample[]> {
  const apps = await startApps(contenders, config);
  const samples: RoundSample[] = [];
  try {
    for (const contender of contenders) {
      await prime(apps.get(contender.app)!, contender);
      await window(apps.get(contender.app)!, contender, profile.warmupMs);
    }
    for (let round = 0; round < profile.rounds; round++) {
      for (const contender of rotated(contenders, round)) {
        const { load, cpuMicros } = await window(apps.get(contender.app)!, contender, profile.windowMs);
        samples.push({
          ...load,
          round,
          contender: contender.name,
          cpuMicrosPerRequest: load.ok === 0 ? Number.NaN : cpuMicros / load.ok,
        });
      }
      log(`  round ${round + 1}/${profile.rounds} done`);
    }
  } finally {
    await Promise.all([...apps.values()].map((app) => app.handle.stop()));
  }
  return samples;
}
