import { BENCH_SETTINGS } from '../bench.settings';
import { describeFailure, latencySummary } from '../stats';
import { type Scenario, settleWithin } from './scenario';

/**
 * A service that just started (or a cache that was just dropped) and receives a burst of
 * requests, each needing a token: every call starts on the same tick with nothing cached.
 */
export const coldStartBurst: Scenario = {
  title: 'cold-start burst',
  ratioOf: 'tokenRequests',
  accessTokenTtlSeconds: BENCH_SETTINGS.defaultTokenTtlSeconds,
  async run(contender, sandbox) {
    const total = BENCH_SETTINGS.burstCalls;
    sandbox.resetCounters();
    const latencies: number[] = [];
    let errors = 0;
    let settled = 0;
    let firstError: string | undefined;
    const start = performance.now();
    const calls = Array.from({ length: total }, async () => {
      const callStart = performance.now();
      try {
        await contender.getToken();
        latencies.push(performance.now() - callStart);
      } catch (error: unknown) {
        errors += 1;
        firstError ??= describeFailure(error);
      } finally {
        settled += 1;
      }
    });
    const finished = await settleWithin(Promise.all(calls), BENCH_SETTINGS.runLimitMs);
    const wallMs = performance.now() - start;
    if (!finished) {
      errors += total - settled;
      firstError ??= `${total - settled} calls unfinished after ${BENCH_SETTINGS.runLimitMs} ms`;
    }
    return {
      tokenRequests: sandbox.counters().v2Token,
      calls: total,
      errors,
      wallMs,
      ...latencySummary(latencies),
      firstError,
    };
  },
};
