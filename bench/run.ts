import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_SETTINGS } from './bench.settings';
import type { ContenderFactory } from './contenders/contender';
import { naiveCache } from './contenders/naive-cache.contender';
import { ours } from './contenders/ours.contender';
import { perRequest } from './contenders/per-request.contender';
import { simpleOauth2 } from './contenders/simple-oauth2.contender';
import { withFreshSandbox } from './fresh-sandbox';
import { listenOverflows } from './listen-overflows';
import { findings, renderConsoleTable, renderMarkdown, type ResultRow, writeMarkdown } from './report';
import { coldStartBurst } from './scenarios/cold-start-burst.scenario';
import { expiryCrossing } from './scenarios/expiry-crossing.scenario';
import type { Measurement, Scenario } from './scenarios/scenario';
import { warmThroughput } from './scenarios/warm-throughput.scenario';
import { describeFailure } from './stats';

// Ours first: every other row is a ratio against it.
const CONTENDERS: readonly ContenderFactory[] = [ours, simpleOauth2, naiveCache, perRequest];
const SCENARIOS: readonly Scenario[] = [coldStartBurst, expiryCrossing, warmThroughput];

async function runOne(scenario: Scenario, factory: ContenderFactory): Promise<Measurement> {
  return withFreshSandbox(scenario.accessTokenTtlSeconds, async (sandbox) => {
    const contender = factory.create();
    try {
      await contender.setup(sandbox);
      const overflowsBefore = listenOverflows();
      const measurement = await scenario.run(contender, sandbox);
      const overflowsAfter = listenOverflows();
      if (overflowsBefore !== undefined && overflowsAfter !== undefined) {
        measurement.listenOverflows = overflowsAfter - overflowsBefore;
      }
      return measurement;
    } finally {
      await contender.teardown();
    }
  });
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${BENCH_SETTINGS.watchdogMs} ms, giving up`);
    process.exit(1);
  }, BENCH_SETTINGS.watchdogMs);
  // The watchdog must never be what keeps the process alive.
  watchdog.unref();

  const startedAt = new Date();
  const rows: ResultRow[] = [];
  let failed = false;
  for (const scenario of SCENARIOS) {
    for (const factory of CONTENDERS) {
      const began = performance.now();
      let measurement: Measurement;
      try {
        measurement = await runOne(scenario, factory);
      } catch (error: unknown) {
        // A contender that cannot even run is a broken bench, not a data point: report it and fail.
        failed = true;
        measurement = { tokenRequests: 0, calls: 0, errors: 1, firstError: describeFailure(error) };
      }
      rows.push({ scenario, contender: factory.name, measurement });
      console.log(`${scenario.title} / ${factory.name}: ${Math.round(performance.now() - began)} ms`);
      // Let the sockets the sandbox just closed finish closing before the next run starts.
      await sleep(100);
    }
  }

  console.log(`\n${renderConsoleTable(rows)}\n`);
  for (const line of findings(rows, SCENARIOS)) console.log(`- ${line.replace(/\*\*|`/g, '')}`);
  const path = resolve(process.cwd(), 'BENCHMARKS.md');
  await writeMarkdown(path, renderMarkdown(rows, SCENARIOS, startedAt));
  console.log(`wrote ${path} (total ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s)`);
  clearTimeout(watchdog);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
