import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BenchAppConfig } from './apps/bench-app';
import { ChildHandle } from './child-handle';
import {
  GUARDED_MEMORY,
  GUARDED_REDIS,
  GUARDED_ROUTE,
  INTERLEAVED_SCENARIOS,
  type InterleavedScenario,
  OURS_MEMORY,
  OURS_REDIS,
  STAMPEDE_CONTENDERS,
} from './e2e.scenarios';
import { E2E_SETTINGS, type E2eProfile } from './e2e.settings';
import { runInterleaved } from './interleaved';
import { type ContenderSummary, pairedRatios, spread, type Spread, summarize } from './paired';
import { startBenchRedis } from './redis-server';
import type { ResultRecord } from './result-row';
import { runStampede, type StampedeResult } from './stampede';
import { CpuBurners, type LoadRecord } from './cpu-burner';
import { LOGIN_HAND_ROLLED, LOGIN_MODULE, LOGIN_VARIANTS, type LoginStormResult, runLoginStorm } from './login-storm';

export const HEAP_REFERENCE = 'Map of sha256(handle) to JSON (reference)';

/** Everything the end-to-end part measured, for the report and results.json. */
export interface E2eOutcome {
  profile: E2eProfile;
  interleaved: { scenario: InterleavedScenario; summaries: ContenderSummary[] }[];
  /** Guarded (Redis) ÷ guarded (memory), paired by round. */
  redisVsMemory: Spread;
  stampede: StampedeResult[];
  /** The Redis cold stampede again, with CPU burners at `overloadBurnersPerCore` per core beside it. */
  overload?: { result: StampedeResult; load: LoadRecord };
  logins: LoginStormResult[];
  heap: { contender: string; bytesPerSession: number }[];
  records: ResultRecord[];
}

function interleavedRecords(scenario: InterleavedScenario, summaries: readonly ContenderSummary[]): ResultRecord[] {
  return summaries.flatMap((s) => {
    const row = (metric: string, value: number, unit: string): ResultRecord => ({
      scenario: scenario.id,
      contender: s.contender,
      metric,
      value,
      unit,
    });
    return [
      row('req_per_s_ratio_median', s.ratio.median, `x ${scenario.reference}`),
      row('req_per_s_ratio_min', s.ratio.min, `x ${scenario.reference}`),
      row('req_per_s_ratio_max', s.ratio.max, `x ${scenario.reference}`),
      row('req_per_s_median', s.okPerSec.median, 'req/s'),
      row('cpu_per_request_median', s.cpuMicrosPerRequest.median, 'µs'),
      row('cpu_per_request_ratio_median', s.cpuRatio.median, `x ${scenario.reference}`),
      row('p99_latency_median', s.p99Ms.median, 'ms'),
      row('non_2xx', s.non2xx, 'responses'),
      row('errors', s.errors, 'connection errors'),
    ];
  });
}

async function measureHeap(
  mode: 'module' | 'map-reference',
  config: BenchAppConfig,
  sessions: number,
): Promise<number> {
  const { handle } = await ChildHandle.start(
    `heap ${mode}`,
    join(__dirname, 'heap.process.js'),
    [mode, JSON.stringify(config)],
    ['--expose-gc'],
  );
  try {
    const reply = await handle.request({ type: 'measure', sessions }, 10 * 60_000);
    return Number(reply.bytesPerSession);
  } finally {
    await handle.stop();
  }
}

/** Runs every end-to-end scenario once with `profile`; starts and stops its own backend and Redis. */
export async function runEndToEnd(profile: E2eProfile, log: (line: string) => void): Promise<E2eOutcome> {
  const redis = await startBenchRedis();
  const backend = await ChildHandle.start('backend', join(__dirname, 'backend.process.js'), []).catch(
    async (error: unknown) => {
      await redis.stop();
      throw error;
    },
  );
  const config: BenchAppConfig = {
    gatewayUrl: String(backend.ready.url),
    redisUrl: redis.url,
    encryptionKey: randomBytes(32).toString('base64'),
  };
  const records: ResultRecord[] = [];
  try {
    const interleaved: E2eOutcome['interleaved'] = [];
    let redisVsMemory = spread([]);
    for (const scenario of INTERLEAVED_SCENARIOS) {
      const began = performance.now();
      log(
        `${scenario.title}: ${scenario.contenders.length} contenders × ${profile.rounds} rounds × ${profile.windowMs} ms`,
      );
      await redis.flush();
      const samples = await runInterleaved(scenario.contenders, config, profile, log);
      const summaries = summarize(
        samples,
        scenario.contenders.map((c) => c.name),
        scenario.reference,
      );
      interleaved.push({ scenario, summaries });
      records.push(...interleavedRecords(scenario, summaries));
      if (scenario === GUARDED_ROUTE) {
        redisVsMemory = spread(pairedRatios(samples, GUARDED_REDIS, GUARDED_MEMORY));
        for (const metric of ['median', 'min', 'max'] as const) {
          records.push({
            scenario: scenario.id,
            contender: `${GUARDED_REDIS} vs ${GUARDED_MEMORY}`,
            metric: `req_per_s_ratio_${metric}`,
            value: redisVsMemory[metric],
            unit: `x ${GUARDED_MEMORY}`,
          });
        }
      }
      log(`${scenario.title}: ${Math.round((performance.now() - began) / 1000)} s`);
    }

    const stampede: StampedeResult[] = [];
    await backend.handle.request({ type: 'latency', ms: E2E_SETTINGS.stampedeTokenLatencyMs });
    const tokenRequests = async () => {
      const { counters } = await backend.handle.request({ type: 'counters' });
      return (counters as { tokenRequests: number }).tokenRequests;
    };
    const stampedeContenders = STAMPEDE_CONTENDERS.filter((c) => profile.stampedeAlternatives || c.name === OURS_REDIS);
    for (const contender of stampedeContenders) {
      const result = await runStampede(contender, config, redis, tokenRequests, profile.stampedeCallTimeoutMs);
      stampede.push(result);
      log(`cold stampede / ${contender.name}: ${result.tokenRequests} token requests, ${result.failed} failed calls`);
      records.push(
        {
          scenario: 'cold-stampede',
          contender: contender.name,
          metric: 'token_requests',
          value: result.tokenRequests,
          unit: 'requests',
        },
        {
          scenario: 'cold-stampede',
          contender: contender.name,
          metric: 'failed_calls',
          value: result.failed,
          unit: 'calls',
        },
        { scenario: 'cold-stampede', contender: contender.name, metric: 'wall', value: result.wallMs, unit: 'ms' },
        {
          scenario: 'cold-stampede',
          contender: contender.name,
          metric: 'store_fallbacks_logged',
          value: result.storeFallbacks,
          unit: 'log lines',
        },
      );
    }
    const overloaded = STAMPEDE_CONTENDERS.find((c) => c.name === OURS_REDIS);
    let overload: E2eOutcome['overload'];
    if (overloaded) {
      const burners = await CpuBurners.start(E2E_SETTINGS.overloadBurnersPerCore, profile.overloadSettleMs);
      let result: StampedeResult;
      let load: LoadRecord;
      try {
        result = await runStampede(overloaded, config, redis, tokenRequests, E2E_SETTINGS.overloadCallTimeoutMs);
      } finally {
        load = burners.stop();
      }
      overload = { result, load };
      log(
        `cold stampede under overload / ${overloaded.name}: ${result.tokenRequests} token requests, ${result.failed} failed calls, ` +
          `${load.burners} burners, load average ${load.loadAverage1m.toFixed(1)}, runnable ${load.runnableMedian} (max ${load.runnableMax})`,
      );
      const row = (metric: string, value: number, unit: string): ResultRecord => ({
        scenario: 'cold-stampede-overload',
        contender: overloaded.name,
        metric,
        value,
        unit,
      });
      records.push(
        row('token_requests', result.tokenRequests, 'requests'),
        row('failed_calls', result.failed, 'calls'),
        row('wall', result.wallMs, 'ms'),
        row('store_errors_logged', result.storeErrors, 'log lines'),
        row('store_fallbacks_logged', result.storeFallbacks, 'log lines'),
        row('burners', load.burners, 'processes'),
        row('load_average_1m', load.loadAverage1m, 'load'),
        row('runnable_median', load.runnableMedian, 'threads'),
      );
    }
    await backend.handle.request({ type: 'latency', ms: 0 });

    const logins: LoginStormResult[] = [];
    for (const variant of LOGIN_VARIANTS) {
      const result = await runLoginStorm(config, variant, profile.rounds, profile.loginsPerWindow);
      logins.push(result);
      log(
        `login throughput (${variant.id}): module ÷ hand-rolled ${result.ratio.median.toFixed(2)} (CPU ${result.cpuRatio.median.toFixed(2)})`,
      );
      const record = (contender: string, metric: string, value: number, unit: string): ResultRecord => ({
        scenario: `login-throughput-${variant.id}`,
        contender,
        metric,
        value,
        unit,
      });
      for (const metric of ['median', 'min', 'max'] as const) {
        records.push(
          record(LOGIN_MODULE, `logins_per_s_ratio_${metric}`, result.ratio[metric], `x ${LOGIN_HAND_ROLLED}`),
        );
      }
      records.push(
        record(LOGIN_MODULE, 'cpu_per_login_ratio_median', result.cpuRatio.median, `x ${LOGIN_HAND_ROLLED}`),
      );
      for (const row of result.rows) {
        records.push(
          record(row.contender, 'logins_per_s_median', row.loginsPerSec.median, 'logins/s'),
          record(row.contender, 'cpu_per_login_median', row.cpuMicrosPerLogin.median, 'µs'),
          record(row.contender, 'failed', row.failed, 'logins'),
        );
      }
    }

    const heap = [
      { contender: OURS_MEMORY, bytesPerSession: await measureHeap('module', config, profile.sessions) },
      { contender: HEAP_REFERENCE, bytesPerSession: await measureHeap('map-reference', config, profile.sessions) },
    ];
    for (const row of heap) {
      log(`heap per session / ${row.contender}: ${Math.round(row.bytesPerSession)} B`);
      records.push({
        scenario: 'heap-per-session',
        contender: row.contender,
        metric: 'heap_per_session',
        value: row.bytesPerSession,
        unit: 'B',
      });
    }
    return { profile, interleaved, redisVsMemory, stampede, overload, logins, heap, records };
  } finally {
    await backend.handle.stop();
    await redis.stop();
  }
}
