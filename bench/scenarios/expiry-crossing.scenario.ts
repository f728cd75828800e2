import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_SETTINGS } from '../bench.settings';
import { describeFailure, latencySummary } from '../stats';
import { type Scenario, settleWithin } from './scenario';

/**
 * Steady traffic while the cached token reaches the end of its (short) life: who renews it, how
 * many token requests that costs, and how many calls stall behind the renewal.
 */
export const expiryCrossing: Scenario = {
  title: 'expiry crossing',
  ratioOf: 'tokenRequests',
  accessTokenTtlSeconds: BENCH_SETTINGS.expiryTokenTtlSeconds,
  async run(contender, sandbox) {
    const { expiryCallers, expiryDurationMs, maxIterationsPerCaller, callerPauseMs, waitedThresholdMs } =
      BENCH_SETTINGS;
    // Start warm: the cold start is scenario 1, this one is about the renewal.
    await contender.getToken();
    sandbox.resetCounters();
    const latencies: number[] = [];
    let errors = 0;
    let waited = 0;
    let inFlight = 0;
    let firstError: string | undefined;
    const end = performance.now() + expiryDurationMs;
    const caller = async (): Promise<void> => {
      for (let i = 0; i < maxIterationsPerCaller && performance.now() < end; i += 1) {
        const callStart = performance.now();
        inFlight += 1;
        try {
          await contender.getToken();
          const latency = performance.now() - callStart;
          latencies.push(latency);
          if (latency > waitedThresholdMs) waited += 1;
        } catch (error: unknown) {
          errors += 1;
          firstError ??= describeFailure(error);
        } finally {
          inFlight -= 1;
        }
        await sleep(callerPauseMs);
      }
    };
    const finished = await settleWithin(
      Promise.all(Array.from({ length: expiryCallers }, caller)),
      expiryDurationMs + BENCH_SETTINGS.runLimitMs,
    );
    if (!finished) {
      errors += inFlight;
      firstError ??= `${inFlight} calls unfinished ${BENCH_SETTINGS.runLimitMs} ms after the load stopped`;
    }
    return {
      tokenRequests: sandbox.counters().v2Token,
      calls: latencies.length + errors,
      errors,
      ...latencySummary(latencies),
      waited,
      firstError,
    };
  },
};
