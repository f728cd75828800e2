import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchAppConfig } from '../e2e/apps/bench-app';
import { BENCH_APPS } from '../e2e/apps';
import { ChildHandle } from '../e2e/child-handle';
import { runLoad } from '../e2e/load';
import { startBenchRedis } from '../e2e/redis-server';
import { topSelfTime, topTotalTime } from './cpu-profile';

/**
 * Profiles one app of the end-to-end bench under load: the app runs in its own process with
 * `--cpu-prof`, autocannon drives one route, and the top self-time frames of the app process
 * are printed. `node dist/bench/profile/profile-app.js <app> <path> [seconds] [--session]`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const [app, path, secondsArg] = [args.at(0), args.at(1), args.at(2)];
  const flags = args.slice(3);
  if (!app || !(app in BENCH_APPS) || !path?.startsWith('/')) {
    throw new Error(`usage: profile-app <${Object.keys(BENCH_APPS).join('|')}> </route> [seconds] [--session]`);
  }
  const seconds = Number(secondsArg ?? 10);
  const redis = await startBenchRedis();
  const backend = await ChildHandle.start('backend', join(__dirname, '../e2e/backend.process.js'), []);
  const dir = await mkdtemp(join(tmpdir(), 'candescent-profile-'));
  try {
    const config: BenchAppConfig = {
      gatewayUrl: String(backend.ready.url),
      redisUrl: redis.url,
      encryptionKey: randomBytes(32).toString('base64'),
    };
    const { handle, ready } = await ChildHandle.start(
      `app ${app}`,
      join(__dirname, '../e2e/app.process.js'),
      [app, JSON.stringify(config)],
      ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    );
    const url = `http://127.0.0.1:${Number(ready.port)}${path}`;
    const headers: Record<string, string> = flags.includes('--session')
      ? { authorization: `Bearer ${String(ready.sessionHandle)}` }
      : {};
    await runLoad(url, 2_000, headers);
    const load = await runLoad(url, seconds * 1000, headers);
    await handle.stop();
    const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written to ${dir}`);
    console.log(
      `${app} ${path}: ${Math.round(load.okPerSec)} req/s, ${load.non2xx} non-2xx, profile ${join(dir, file)}`,
    );
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as Parameters<typeof topSelfTime>[0];
    for (const line of topSelfTime(profile, 25)) console.log(line);
    console.log('frames of the library (inclusive):');
    for (const line of topTotalTime(profile, 'candescent-auth/dist/', 20)) console.log(line);
  } finally {
    await backend.handle.stop();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
