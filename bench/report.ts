import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { BENCH_SETTINGS } from './bench.settings';
import type { Measurement, Scenario } from './scenarios/scenario';

/** One row of the table: one scenario, one contender. */
export interface ResultRow {
  scenario: Scenario;
  contender: string;
  measurement: Measurement;
}

const OURS = 'ours';
const HEADERS = [
  'scenario',
  'implementation',
  'token requests',
  'vs ours',
  'wall',
  'p50',
  'p99',
  'ops/s',
  'waited',
  'errors',
];
const RIGHT_ALIGNED = new Set(HEADERS.slice(2));
const count = (n: number) => Math.round(n).toLocaleString('en-US');

function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (value < 1) return `${(value * 1000).toFixed(1)} µs`;
  return value < 100 ? `${value.toFixed(1)} ms` : `${count(value)} ms`;
}

function percent(value: number): string {
  return `${value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2)} %`;
}

function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  if (ratio >= 100) return `${count(ratio)}×`;
  if (ratio < 0.01) return `${ratio.toPrecision(2)}×`;
  return ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(2)}×`;
}

function oursRow(rows: readonly ResultRow[], scenario: Scenario): Measurement | undefined {
  return rows.find((row) => row.scenario === scenario && row.contender === OURS)?.measurement;
}

/** The scenario's headline number of this row divided by ours (NaN when either is missing or zero). */
export function ratioVsOurs(rows: readonly ResultRow[], row: ResultRow): number {
  const ours = oursRow(rows, row.scenario);
  const key = row.scenario.ratioOf;
  const mine = row.measurement[key];
  const base = ours?.[key];
  return mine === undefined || base === undefined || base === 0 ? Number.NaN : mine / base;
}

function cells(rows: readonly ResultRow[], row: ResultRow): string[] {
  const m = row.measurement;
  const ratio = ratioVsOurs(rows, row);
  const unit = row.scenario.ratioOf === 'tokenRequests' ? 'requests' : 'ops/s';
  return [
    row.scenario.title,
    row.contender,
    count(m.tokenRequests),
    Number.isNaN(ratio) ? '–' : `${ratioText(ratio)} ${unit}`,
    ms(m.wallMs),
    ms(m.p50Ms),
    ms(m.p99Ms),
    m.opsPerSec === undefined ? '–' : count(m.opsPerSec),
    m.waited === undefined ? '–' : count(m.waited),
    count(m.errors),
  ];
}

/** The table as aligned plain text for the terminal. */
export function renderConsoleTable(rows: readonly ResultRow[]): string {
  const body = rows.map((row) => cells(rows, row));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((line) => line[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (RIGHT_ALIGNED.has(HEADERS[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(rows: readonly ResultRow[]): string {
  const align = HEADERS.map((h) => (RIGHT_ALIGNED.has(h) ? '---:' : '---'));
  return [HEADERS, align, ...rows.map((row) => cells(rows, row))].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Sentences made only of ratios from this run's rows. */
export function findings(rows: readonly ResultRow[], scenarios: readonly Scenario[]): string[] {
  const out: string[] = [];
  for (const scenario of scenarios) {
    const ours = oursRow(rows, scenario);
    const others = rows.filter((row) => row.scenario === scenario && row.contender !== OURS);
    if (!ours || others.length === 0) continue;
    const ratios = others.map((row) => `${row.contender} ${ratioText(ratioVsOurs(rows, row))}`).join(', ');
    if (scenario.ratioOf === 'tokenRequests') {
      out.push(`**${scenario.title}**: token requests sent, relative to ours: ${ratios}.`);
      // Only where every call may wait; under steady load p99 is the cost of a cached call (see waited).
      if (ours.wallMs !== undefined) {
        const p99 = others.map(
          (row) => `${row.contender} ${ratioText((row.measurement.p99Ms ?? NaN) / (ours.p99Ms ?? NaN))}`,
        );
        out.push(`**${scenario.title}**: p99 latency relative to ours: ${p99.join(', ')}.`);
      }
    } else {
      out.push(`**${scenario.title}**: cached-token calls per second, relative to ours: ${ratios}.`);
      const faster = others.filter((row) => ratioVsOurs(rows, row) > 1).map((row) => row.contender);
      if (faster.length > 0) {
        out.push(
          `Ours is slower than ${faster.join(' and ')} on a cached call. Each of its calls is an async ` +
            'function (one promise), looks the token up in a map, checks that it is still usable and ' +
            'whether a renewal is due, and counts a cache hit through `@opentelemetry/api`; the others ' +
            'read one variable and compare one timestamp. For scale, the per-request row shows what a ' +
            'single token request costs in the same loop.',
        );
      }
    }
    const waited = rows.filter((row) => row.scenario === scenario && row.measurement.waited !== undefined);
    if (waited.length > 0) {
      const share = (m: Measurement) => (m.calls === 0 ? '–' : percent(((m.waited ?? 0) / m.calls) * 100));
      const list = waited.map(
        (row) => `${row.contender} ${count(row.measurement.waited ?? 0)} (${share(row.measurement)})`,
      );
      out.push(
        `**${scenario.title}**: calls that stalled behind a token request (share of all calls): ${list.join(', ')}. ` +
          'Stalls under 1 % of calls do not move p99, which is why this column exists.',
      );
    }
  }
  const overflowed = rows.filter((row) => (row.measurement.listenOverflows ?? 0) > 0);
  if (overflowed.length > 0) {
    const list = overflowed
      .map((row) => `${row.contender} in ${row.scenario.title} (${count(row.measurement.listenOverflows ?? 0)})`)
      .join(', ');
    out.push(
      `The sandbox's listen queue overflowed for ${list}: connections opened at once beyond its ` +
        "backlog are dropped and retried by the client's kernel about 1 s later. Wall and p99 of those " +
        'rows are mostly that retry; their token request counts are unaffected.',
    );
  }
  const failing = rows.filter((row) => row.measurement.errors > 0);
  for (const row of failing) {
    out.push(
      `${row.contender} had ${count(row.measurement.errors)} errors in ${row.scenario.title}; first: ${row.measurement.firstError ?? 'unknown'}.`,
    );
  }
  return out;
}

/** The token-level part of BENCHMARKS.md: `getToken()` in a loop, in the bench process. */
export function renderTokenSection(rows: readonly ResultRow[], scenarios: readonly Scenario[]): string {
  const s = BENCH_SETTINGS;
  return `## Token level

These call \`getToken()\` directly in the bench process (Node ${process.version}), with no web framework around it: they
measure token caching and renewal, not what an app pays per request (see "End to end" for that).
Each implementation ran each scenario against its own fresh sandbox on 127.0.0.1 with the same
settings: ${s.tokenLatencyMs} ms of latency injected on every V2 token request (loopback alone would make a token
request look free), token lifetime ${s.defaultTokenTtlSeconds} s except in the expiry scenario.

${markdownTable(rows)}

### Scenarios

1. **cold-start burst**: ${count(s.burstCalls)} concurrent \`getToken()\` calls on an empty cache, all started on the
   same tick. Wall time is first call to last answer; p50/p99 are per call.
2. **expiry crossing**: after one warm-up token, ${s.expiryCallers} callers loop for ${s.expiryDurationMs / 1000} s, each doing \`getToken()\`
   then pausing ${s.callerPauseMs} ms (standing in for the downstream call), while tokens live ${s.expiryTokenTtlSeconds} s. **waited**
   counts calls slower than ${s.waitedThresholdMs} ms (half the injected latency): calls that sat behind a token request.
3. **warm throughput**: \`getToken()\` awaited back to back for ${s.warmDurationMs / 1000} s once the cache is filled (after a
   ${s.warmJitMs} ms unmeasured loop). Token requests are the ones sent during the measured loop.

### Implementations

- **ours**: \`CandescentTokenService.getInstitutionToken()\` from \`CandescentAuthModule.forRoot\` with default
  options in a plain Nest application context: per-key cache, one token request in flight per key,
  renewal in the background ahead of expiry (for the ${s.expiryTokenTtlSeconds} s tokens of scenario 2, from 20 % of the
  lifetime before expiry: the default \`tokenRefreshFraction\`).
- **simple-oauth2**: v5 \`ClientCredentials.getToken()\` with the Candescent headers, the \`AccessToken\` kept
  and \`expired(${s.expiryWindowSeconds})\` checked before each use, as its README shows; no single-flight.
- **naive-cache**: the token in a variable, fetched with axios when missing or within ${s.expiryWindowSeconds} s of expiry.
- **per-request**: a new token request with axios before every call; no cache.

The hand-written windows are ${s.expiryWindowSeconds} s, the same point at which ours starts renewing a
${s.expiryTokenTtlSeconds} s token, so the expiry scenario compares how each renews, not when.

### How to read this

"vs ours" divides a row's headline number by ours in the same scenario: **token requests** in
scenarios 1 and 2 (above 1× means more load on Candescent's token service, which rate-limits
with HTTP 500 quota and spike errors), **ops/s** in scenario 3 (above 1× means faster than ours).
Read the ratios, not the absolute values: milliseconds and ops/s depend on this machine and are
printed only so the ratios can be checked. "–" means the scenario does not measure that column.

### In this run

${findings(rows, scenarios)
  .map((line) => `- ${line}`)
  .join('\n')}

### Caveats

- The sandbox runs in the benchmark's own process, so each token request's server-side work lands
  on the same event loop as the callers. Latencies of implementations that send many requests
  include that work; a remote gateway would not add it to your process, but would add TLS.
- simple-oauth2's HTTP client (wreck) uses its own agent without keep-alive, so each of its token
  requests opens a connection; axios (ours, naive-cache, per-request) reuses connections through
  Node's global agent.
- One run, no repetitions: treat differences under 2× in latency or ops/s as noise, more so on a
  busy machine. Token request counts do not depend on machine speed.
`;
}

/** The machine, for the report's first line. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores${cpus[0] ? ` (${cpus[0].model.trim()})` : ''}, ${os.platform()} ${os.arch()}`;
}

/** Writes a report file. */
export async function writeMarkdown(path: string, markdown: string): Promise<void> {
  await writeFile(path, markdown, 'utf8');
}
