import { E2E_SETTINGS, HEAP_WARMUP_LOGINS } from './e2e.settings';
import { OURS_MEMORY } from './e2e.scenarios';
import type { ContenderSummary, Spread } from './paired';
import type { E2eOutcome } from './run-e2e';
import { checkTargets } from './targets';
import { PROFILE_NOTES } from './profile-notes';

const count = (n: number) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const ratio = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(2));
const spreadText = (s: Spread) => `${ratio(s.median)} (${ratio(s.min)}–${ratio(s.max)})`;
const table = (rows: string[][], rightFrom: number) =>
  [rows[0], rows[0].map((_, i) => (i >= rightFrom ? '---:' : '---')), ...rows.slice(1)]
    .map((r) => `| ${r.join(' | ')} |`)
    .join('\n');

/** A Mermaid bar chart; labels lose the characters Mermaid would read as syntax. */
export function barChart(
  title: string,
  axis: string,
  labels: readonly string[],
  values: readonly number[],
  target?: number,
): string {
  const clean = (label: string) => label.replace(/["[\]]/g, '');
  const finite = values.filter((v) => Number.isFinite(v));
  const top = Math.max(...finite, target ?? 0) * 1.1;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title "${clean(title)}"`,
    `    x-axis [${labels.map((l) => `"${clean(l)}"`).join(', ')}]`,
    `    y-axis "${clean(axis)}" 0 --> ${Number(top.toPrecision(2))}`,
    `    bar [${values.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(3)) : 0)).join(', ')}]`,
  ];
  if (target !== undefined) lines.push(`    line [${labels.map(() => target).join(', ')}]`);
  lines.push('```');
  return lines.join('\n');
}

function interleavedTable(summaries: readonly ContenderSummary[], reference: string): string {
  const rows = [
    [
      'contender',
      `req/s ÷ ${reference}, median (min–max)`,
      'req/s (median)',
      'app CPU µs/request (median)',
      `CPU/request ÷ ${reference}`,
      'p99 ms (median)',
      'non-2xx',
      'errors',
    ],
    ...summaries.map((s) => [
      s.contender,
      spreadText(s.ratio),
      count(s.okPerSec.median),
      count(s.cpuMicrosPerRequest.median),
      ratio(s.cpuRatio.median),
      count(s.p99Ms.median),
      count(s.non2xx),
      count(s.errors),
    ]),
  ];
  return table(rows, 1);
}

/** A chart's bars, read from the results.json rows so chart and file can never disagree. */
function fromRecords(outcome: E2eOutcome, scenario: string, contenders: readonly string[], metric: string): number[] {
  return contenders.map(
    (contender) =>
      outcome.records.find((r) => r.scenario === scenario && r.contender === contender && r.metric === metric)?.value ??
      Number.NaN,
  );
}

const TARGET_LINE: Record<string, number> = { 'outgoing-get': 0.95, 'unrelated-route': 0.97, 'guarded-route': 0.95 };

/** The end-to-end part of BENCHMARKS.md. */
export function renderEndToEnd(outcome: E2eOutcome): string {
  const p = outcome.profile;
  const parts: string[] = [];
  parts.push(`## End to end

Real servers on 127.0.0.1: each app under test is a Nest 11 app on Express in a child process of
its own; the backend (the Candescent sandbox behind a small node:http gateway that also serves the
upstream \`GET /bench/data\` and checks its bearer) is another. autocannon drives
${E2E_SETTINGS.connections} connections from the bench process. Every process runs on Node ${process.version}. Profile **${p.name}**: contenders interleaved over ${p.rounds} rounds
(A B C …, then B C … A, …), ${p.windowMs / 1000} s measured per contender per round after ${p.warmupMs / 1000} s of unmeasured warm-up each.

**How to read it.** Each ratio is a contender's successful requests per second divided by the
scenario's reference **in the same round**, and the tables give the median with min–max over the
rounds. Pairing by round is what lets the ratios survive a shared, busy machine: a slow spell
slows both sides of that round's ratio. Absolute req/s are printed only so the ratios can be
checked; they depend on this machine and on whoever else used its CPU. **App CPU µs/request** is
the app process's own \`process.cpuUsage()\` over the window (read over IPC), divided by its 2xx
responses: autocannon's and the backend's CPU are not in it. In the charts, the bars are median
ratios and the line, where there is one, is the issue's target.

### Targets (issue 21)

${table([['target', 'measured (median)', 'verdict'], ...checkTargets(outcome).map((c) => [c.target, c.measured, c.verdict])], 3)}

"measured" is the median over the rounds, with the rounds' range. Where that range includes the
target, this run cannot tell on its own whether the target is met; the app CPU per request in the
tables below is the steadier number on a busy machine.

${PROFILE_NOTES}`);

  for (const { scenario, summaries } of outcome.interleaved) {
    parts.push(`### ${scenario.title}

${scenario.description}

${barChart(
  `${scenario.title}: req/s ÷ ${scenario.reference}`,
  `× ${scenario.reference}`,
  summaries.map((s) => s.contender),
  fromRecords(
    outcome,
    scenario.id,
    summaries.map((s) => s.contender),
    'req_per_s_ratio_median',
  ),
  TARGET_LINE[scenario.id],
)}

${interleavedTable(summaries, scenario.reference)}`);
    if (scenario.id === 'guarded-route') {
      parts.push(`Guarded (Redis) ÷ guarded (memory), paired by round: ${spreadText(outcome.redisVsMemory)}.`);
    }
  }

  const stampedeRows = outcome.stampede.map((s) => [
    s.contender,
    count(s.tokenRequests),
    count(s.ok),
    count(s.failed),
    count(s.wallMs),
    count(s.storeFallbacks),
  ]);
  parts.push(`### Cold stampede

${E2E_SETTINGS.stampedeCalls.toLocaleString('en-US')} calls of the outgoing-GET route at once, split over ${E2E_SETTINGS.stampedeProcesses} processes of the same app that share one
Redis (emptied first), on cold token caches, ${E2E_SETTINGS.stampedeTokenLatencyMs} ms of latency injected on the token route. Token
requests are counted at the token endpoint (the sandbox's counters) from before the processes
start, so a token fetched at start-up counts too. Only this module with the Redis store can share
a token between processes; the others fetch per process, and the table counts what they did.
A call without an answer after ${outcome.profile.stampedeCallTimeoutMs / 1000} s counts as failed.

${barChart(
  'Cold stampede: token requests per cluster of 4',
  'token requests',
  outcome.stampede.map((s) => s.contender),
  fromRecords(
    outcome,
    'cold-stampede',
    outcome.stampede.map((s) => s.contender),
    'token_requests',
  ),
)}

${table([['contender', 'token requests', 'calls answered 2xx', 'calls failed', 'wall ms', 'store fallbacks logged'], ...stampedeRows], 1)}

**store fallbacks logged** counts the processes' log lines "The shared token store is
unavailable; this instance fetches … on its own": a Redis command failed or went unanswered
past the store's timeout, and that process fell back to its own single-flight token request.`);

  if (outcome.overload) {
    const { result, load } = outcome.overload;
    parts.push(`### Cold stampede under overload

The Redis row of the cold stampede again, with ${load.burners} CPU burners (processes spinning in a loop,
${E2E_SETTINGS.overloadBurnersPerCore} per core) started ${outcome.profile.overloadSettleMs / 1000} s before and running until the last call answered: the cluster's
processes get a share of the CPU, not all of it. A call without an answer after ${E2E_SETTINGS.overloadCallTimeoutMs / 1000} s counts as
failed. **runnable** is the number of threads ready to run (\`/proc/loadavg\`), sampled every 200 ms
while it ran, on ${load.cores} cores; the load average is the 1-minute figure at the end, still rising
when the burners stop.

${table(
  [
    [
      'contender',
      'token requests',
      'calls answered 2xx',
      'calls failed',
      'wall ms',
      'Redis errors logged',
      'store fallbacks logged',
      'runnable (median / max)',
      'load average (1 min)',
    ],
    [
      result.contender,
      count(result.tokenRequests),
      count(result.ok),
      count(result.failed),
      count(result.wallMs),
      count(result.storeErrors),
      count(result.storeFallbacks),
      `${count(load.runnableMedian)} / ${count(load.runnableMax)}`,
      load.loadAverage1m.toFixed(1),
    ],
  ],
  1,
)}

What the store's \`commandTimeoutMs\` means under load: a Redis command's timeout counts time the
process could run (a timer that fires late, because the process was starved, reads the reply
already sent and gives one more period); a command that still gets no reply fails with
\`STORE_UNAVAILABLE\`, and an institution token then comes from this process's own single-flight
token request (one per process), so a call waits for a token instead of failing.`);
  }

  const loginRows = outcome.logins.flatMap((l) =>
    l.rows.map((r) => [
      l.variant.id,
      r.contender,
      r.contender === l.rows[0].contender ? spreadText(l.ratio) : '1.00',
      count(r.loginsPerSec.median),
      count(r.cpuMicrosPerLogin.median),
      r.contender === l.rows[0].contender ? ratio(l.cpuRatio.median) : '1.00',
      count(r.failed),
    ]),
  );
  parts.push(`### Login throughput

One process on the memory store logs customers in, ${E2E_SETTINGS.loginConcurrency} at a time, against the sandbox in the backend
process (no injected latency): **this module** through \`CandescentSessionService.login\` (password
grant, session value, account list under its lock, tracing), the **hand-rolled** path with the
V2 password grant through axios and the token set as JSON in a \`Map\` under the sha256 of a random
handle. Each process gets one window of ${outcome.logins[0]?.loginsPerWindow ?? 0} logins per round, rotated, over ${outcome.profile.rounds} rounds,
after an unmeasured half window each; ratios are paired by round. App CPU is the login process's own.
${outcome.logins.map((l) => `**${l.variant.id}**: ${l.variant.title}.`).join(' ')}

${table([['customers', 'contender', 'logins/s ÷ hand-rolled, median (min–max)', 'logins/s (median)', 'app CPU µs/login (median)', 'CPU/login ÷ hand-rolled', 'failed'], ...loginRows], 2)}`);

  const heapRows = outcome.heap.map((h) => [h.contender, count(h.bytesPerSession)]);
  parts.push(`### Heap per session

${p.sessions.toLocaleString('en-US')} logins, over 20 customers in turn, in a child process started with \`--expose-gc\`, ${E2E_SETTINGS.loginConcurrency} at a time,
against the sandbox in the backend process with no injected latency (so the sandbox's own token
store is not in this heap). \`heapUsed\` after forced garbage collection, after ${HEAP_WARMUP_LOGINS} unmeasured
warm-up logins and after the measured ones, divided by the number of sessions: everything the
process keeps per session (store, indexes, redaction list, timers). **${OURS_MEMORY}** logs in
through \`CandescentSessionService.login\`; the **reference** keeps the same V2 token sets, as
returned by the token service, as JSON in a \`Map\` under the sha256 of a random handle.

${barChart(
  'Heap per session, bytes',
  'bytes',
  outcome.heap.map((h) => h.contender),
  fromRecords(
    outcome,
    'heap-per-session',
    outcome.heap.map((h) => h.contender),
    'heap_per_session',
  ),
  800,
)}

${table([['contender', 'bytes per session'], ...heapRows], 1)}`);
  return parts.join('\n\n');
}
