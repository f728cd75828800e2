import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
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
import { renderEndToEnd } from './e2e/e2e-report';
import { FULL_PROFILE, QUICK_PROFILE } from './e2e/e2e.settings';
import { runEndToEnd } from './e2e/run-e2e';
import { checkTargets } from './e2e/targets';
import { findings, machineLine, renderConsoleTable, renderTokenSection, type ResultRow, writeMarkdown } from './report';
import { tokenRecords } from './token-records';
import { renderInstitutions, replaceInstitutionsSection, runInstitutions } from './institutions/run-institutions';
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

/** Token-level scenarios: `getToken()` in a loop per contender, in this process. */
async function runTokenLevel(): Promise<{ rows: ResultRow[]; failed: boolean }> {
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
  return { rows, failed };
}

const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');

/**
 * `node dist/bench/run.js --institutions-only [--quick]`: only the institutions scenario, its
 * section of BENCHMARKS.md (or of the quick report) replaced and the rest left as it was.
 */
async function institutionsOnly(quick: boolean): Promise<void> {
  const startedAt = new Date();
  const result = await runInstitutions(quick, (line) => {
    console.log(line);
  });
  const command = quick ? 'npm run bench:institutions -- --quick' : 'npm run bench:institutions';
  const path = resolve(process.cwd(), quick ? 'dist/bench/BENCHMARKS.quick.md' : 'BENCHMARKS.md');
  const existing = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  await writeMarkdown(path, replaceInstitutionsSection(existing, renderInstitutions(result, command, startedAt)));
  console.log(`wrote the institutions section of ${path}`);
}

/**
 * `node dist/bench/run.js [--quick]`. The full run writes BENCHMARKS.md and bench/results.json;
 * `--quick` (fewer rounds, shorter windows, same scenarios) writes its report under dist/bench
 * so a check of a change never overwrites the committed numbers.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--institutions-only')) {
    await institutionsOnly(process.argv.includes('--quick'));
    return;
  }
  const profile = process.argv.includes('--quick') ? QUICK_PROFILE : FULL_PROFILE;
  const watchdogMs = profile.name === 'quick' ? BENCH_SETTINGS.quickWatchdogMs : BENCH_SETTINGS.watchdogMs;
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${watchdogMs} ms, giving up`);
    process.exit(1);
  }, watchdogMs);
  // The watchdog must never be what keeps the process alive.
  watchdog.unref();

  const startedAt = new Date();
  const loadBefore = load();
  if (profile.name === 'quick') {
    console.log(
      `bench:quick: ${profile.rounds} rounds of ${profile.windowMs} ms windows, ${profile.sessions} sessions for the heap, ` +
        `stampede of this module on Redis only, its calls given up after ${profile.stampedeCallTimeoutMs / 1000} s, token-level and institutions scenarios skipped. ` +
        'Numbers to check a change with; the report comes from `npm run bench`.',
    );
  }
  const tokenLevel = profile.tokenLevel ? await runTokenLevel() : { rows: [], failed: false };
  if (profile.tokenLevel) {
    console.log(`\n${renderConsoleTable(tokenLevel.rows)}\n`);
    for (const line of findings(tokenLevel.rows, SCENARIOS)) console.log(`- ${line.replace(/\*\*|`/g, '')}`);
  }

  const e2e = await runEndToEnd(profile, (line) => {
    console.log(line);
  });
  const institutionsStartedAt = new Date();
  // bench:quick checks the request paths in under two minutes; the institutions scenario has a
  // command of its own (`npm run bench:institutions -- --quick`).
  const institutions =
    profile.name === 'quick'
      ? undefined
      : await runInstitutions(false, (line) => {
          console.log(line);
        });
  const loadAfter = load();
  const minutes = ((Date.now() - startedAt.getTime()) / 60_000).toFixed(1);
  const markdown = `# Benchmarks

Generated by \`npm run bench${profile.name === 'quick' ? ':quick' : ''}\` on ${startedAt.toISOString()} (${minutes} min) with Node ${process.version} on
${machineLine()}. Every number below comes from that one run; rerun it to get your machine's
numbers. The machine was shared with other work: load average (1 / 5 / 15 min) ${loadBefore} at the
start and ${loadAfter} at the end, on ${os.cpus().length} cores. The end-to-end ratios are paired per round for that reason.
Every number is also in \`bench/results.json\` as \`{scenario, contender, metric, value, unit}\` rows.

${renderEndToEnd(e2e)}

${
  profile.tokenLevel
    ? renderTokenSection(tokenLevel.rows, SCENARIOS)
    : '## Token level\n\nNot run by `npm run bench:quick`; see `npm run bench`.\n'
}
${
  institutions
    ? renderInstitutions(institutions, 'npm run bench', institutionsStartedAt)
    : '## Institutions at scale (500 institutions)\n\nNot run by `npm run bench:quick`; see `npm run bench:institutions -- --quick`.\n'
}`;
  const records = [...e2e.records, ...tokenRecords(tokenLevel.rows)];
  const quick = profile.name === 'quick';
  const markdownPath = resolve(process.cwd(), quick ? 'dist/bench/BENCHMARKS.quick.md' : 'BENCHMARKS.md');
  const jsonPath = resolve(process.cwd(), quick ? 'dist/bench/results.quick.json' : 'bench/results.json');
  await writeMarkdown(markdownPath, markdown);
  await writeFile(jsonPath, `${JSON.stringify(records, null, 2)}\n`, 'utf8');
  console.log(`\nTargets (Node ${process.version}, load average ${loadAfter} at the end):`);
  for (const check of checkTargets(e2e)) console.log(`- ${check.target}: ${check.measured} (${check.verdict})`);
  console.log(`wrote ${markdownPath} and ${jsonPath} (total ${minutes} min)`);
  clearTimeout(watchdog);
  if (tokenLevel.failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
