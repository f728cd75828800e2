import { BENCH_SETTINGS } from '../bench.settings';
import type { Contender } from '../contenders/contender';
import { describeFailure } from '../stats';
import type { Scenario } from './scenario';

interface LoopResult {
  ok: number;
  errors: number;
  elapsedMs: number;
  firstError?: string;
}

/**
 * Awaits `getToken()` back to back for `durationMs`. The clock is read once per batch, and the
 * batch doubles while it takes under 1 ms: reading the time on every call would cost as much as
 * a cached call itself, yet a contender that goes to the network still stops on time.
 */
async function timedLoop(contender: Contender, durationMs: number): Promise<LoopResult> {
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let batch = 1;
  const start = performance.now();
  const end = start + durationMs;
  let now = start;
  while (now < end) {
    const batchStart = now;
    for (let i = 0; i < batch; i += 1) {
      try {
        await contender.getToken();
        ok += 1;
      } catch (error: unknown) {
        errors += 1;
        firstError ??= describeFailure(error);
      }
    }
    now = performance.now();
    if (now - batchStart < 1 && batch < 4_096) batch *= 2;
  }
  return { ok, errors, elapsedMs: now - start, firstError };
}

/** The steady state of a long-running service: the token is cached, how cheap is getting it? */
export const warmThroughput: Scenario = {
  title: 'warm throughput',
  ratioOf: 'opsPerSec',
  accessTokenTtlSeconds: BENCH_SETTINGS.defaultTokenTtlSeconds,
  async run(contender, sandbox) {
    await contender.getToken();
    await timedLoop(contender, BENCH_SETTINGS.warmJitMs);
    sandbox.resetCounters();
    const loop = await timedLoop(contender, BENCH_SETTINGS.warmDurationMs);
    return {
      tokenRequests: sandbox.counters().v2Token,
      calls: loop.ok + loop.errors,
      errors: loop.errors,
      opsPerSec: loop.ok / (loop.elapsedMs / 1000),
      firstError: loop.firstError,
    };
  },
};
