import { FLOOR, GUARDED_MEMORY, GUARDED_REDIS, OURS_MEMORY, OURS_REDIS, OUTGOING_GET, GUARDED_ROUTE, UNRELATED_ROUTE } from './e2e.scenarios';
import type { ContenderSummary } from './paired';
import type { E2eOutcome } from './run-e2e';

/** One target of issue 10, checked against this run. */
export interface TargetCheck {
  target: string;
  measured: string;
  /** `met`, `missed by …`, or why it could not be judged. */
  verdict: string;
}

const x = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(2)}×`);

function summaryOf(outcome: E2eOutcome, scenarioId: string, contender: string): ContenderSummary | undefined {
  return outcome.interleaved.find((i) => i.scenario.id === scenarioId)?.summaries.find((s) => s.contender === contender);
}

function atLeast(measured: number, target: number, format: (n: number) => string): string {
  if (Number.isNaN(measured)) return 'not measured';
  return measured >= target ? 'met' : `missed by ${format(target - measured)}`;
}

const ALTERNATIVES = ['hand-written interceptor', '@badgateway/oauth2-client', 'axios-auth-refresh'];

/** Each target of the issue next to this run's median and whether it is met. */
export function checkTargets(outcome: E2eOutcome): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const alternatives = ALTERNATIVES.map((name) => ({ name, ratio: summaryOf(outcome, OUTGOING_GET.id, name)?.ratio.median ?? Number.NaN }));
  const best = alternatives.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  for (const ours of [OURS_MEMORY, OURS_REDIS]) {
    const ratio = summaryOf(outcome, OUTGOING_GET.id, ours)?.ratio.median ?? Number.NaN;
    checks.push({ target: `Outgoing GET, ${ours} ≥ 0.95 × ${FLOOR}`, measured: x(ratio), verdict: atLeast(ratio, 0.95, (d) => d.toFixed(2)) });
    checks.push({
      target: `Outgoing GET, ${ours} no lower than any alternative`,
      measured: `${x(ratio)} vs ${best.name} ${x(best.ratio)}`,
      verdict: atLeast(ratio, best.ratio, (d) => d.toFixed(2)),
    });
  }
  const unrelated = summaryOf(outcome, UNRELATED_ROUTE.id, 'with the module')?.ratio.median ?? Number.NaN;
  checks.push({ target: 'Unrelated route with the module ≥ 0.97 × without', measured: x(unrelated), verdict: atLeast(unrelated, 0.97, (d) => d.toFixed(2)) });
  const guarded = summaryOf(outcome, GUARDED_ROUTE.id, GUARDED_MEMORY)?.ratio.median ?? Number.NaN;
  checks.push({ target: 'Guarded route ≥ 0.93 × open (memory store)', measured: x(guarded), verdict: atLeast(guarded, 0.93, (d) => d.toFixed(2)) });
  const redis = outcome.redisVsMemory.median;
  checks.push({ target: `${GUARDED_REDIS} ≥ 0.90 × ${GUARDED_MEMORY}`, measured: x(redis), verdict: atLeast(redis, 0.9, (d) => d.toFixed(2)) });
  const heap = outcome.heap.find((h) => h.contender === OURS_MEMORY)?.bytesPerSession ?? Number.NaN;
  checks.push({
    target: '≤ 1,000 B of heap per in-memory session',
    measured: Number.isNaN(heap) ? '–' : `${Math.round(heap).toLocaleString('en-US')} B`,
    verdict: Number.isNaN(heap) ? 'not measured' : heap <= 1000 ? 'met' : `missed by ${Math.round(heap - 1000).toLocaleString('en-US')} B`,
  });
  const stampede = outcome.stampede.find((s) => s.contender === OURS_REDIS);
  checks.push({
    target: 'Cold stampede with Redis: 1 token request per cluster',
    measured: stampede ? `${stampede.tokenRequests} token requests, ${stampede.failed} failed calls` : '–',
    verdict: !stampede ? 'not measured' : stampede.tokenRequests <= 1 && stampede.failed === 0 ? 'met' : `missed by ${stampede.tokenRequests - 1} token requests`,
  });
  return checks;
}
