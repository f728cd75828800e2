import {
  FLOOR,
  GUARDED_MEMORY,
  GUARDED_REDIS,
  OURS_MEMORY,
  OURS_REDIS,
  OUTGOING_GET,
  GUARDED_ROUTE,
  UNRELATED_ROUTE,
  UNRELATED_SESSIONS,
} from './e2e.scenarios';
import type { ContenderSummary, Spread } from './paired';
import type { E2eOutcome } from './run-e2e';
import { E2E_SETTINGS } from './e2e.settings';

/** One target of issue 21 (Node 24), checked against this run. */
export interface TargetCheck {
  target: string;
  measured: string;
  /** `met`, `missed by …`, or why it could not be judged. */
  verdict: string;
}

const x = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(2)}×`);
const xs = (s: Spread) => `${x(s.median)} (rounds ${x(s.min)}–${x(s.max)})`;
const NAN_SPREAD: Spread = { min: Number.NaN, median: Number.NaN, max: Number.NaN };

/** The median's verdict, and whether the rounds disagree with it. */
function ratioVerdict(measured: Spread, target: number): string {
  const verdict = atLeast(measured.median, target, hundredths);
  const crosses = measured.min < target && measured.max >= target;
  return crosses ? `${verdict}; the rounds range across the target` : verdict;
}

function summaryOf(outcome: E2eOutcome, scenarioId: string, contender: string): ContenderSummary | undefined {
  return outcome.interleaved
    .find((i) => i.scenario.id === scenarioId)
    ?.summaries.find((s) => s.contender === contender);
}

/** A shortfall in hundredths; one that rounds to 0.00 is still a miss, and says so. */
function hundredths(shortfall: number): string {
  return shortfall < 0.005 ? 'less than 0.01' : shortfall.toFixed(2);
}

function atLeast(measured: number, target: number, format: (n: number) => string): string {
  if (Number.isNaN(measured)) return 'not measured';
  return measured >= target ? 'met' : `missed by ${format(target - measured)}`;
}

const ALTERNATIVES = ['hand-written interceptor', '@badgateway/oauth2-client', 'axios-auth-refresh'];

/** Each target of the issue next to this run's median and whether it is met. */
export function checkTargets(outcome: E2eOutcome): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const alternatives = ALTERNATIVES.map((name) => ({
    name,
    ratio: summaryOf(outcome, OUTGOING_GET.id, name)?.ratio.median ?? Number.NaN,
  }));
  const best = alternatives.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  for (const ours of [OURS_MEMORY, OURS_REDIS]) {
    const ratio = summaryOf(outcome, OUTGOING_GET.id, ours)?.ratio ?? NAN_SPREAD;
    checks.push({
      target: `Outgoing GET, ${ours} ≥ 0.95 × ${FLOOR}`,
      measured: xs(ratio),
      verdict: ratioVerdict(ratio, 0.95),
    });
    checks.push({
      target: `Outgoing GET, ${ours} no lower than any alternative`,
      measured: `${x(ratio.median)} vs ${best.name} ${x(best.ratio)}`,
      verdict: atLeast(ratio.median, best.ratio, hundredths),
    });
  }
  const unrelated = summaryOf(outcome, UNRELATED_ROUTE.id, 'with the module')?.ratio ?? NAN_SPREAD;
  checks.push({
    target: 'Unrelated route with the module ≥ 0.97 × without',
    measured: xs(unrelated),
    verdict: ratioVerdict(unrelated, 0.97),
  });
  const withSessions = summaryOf(outcome, UNRELATED_ROUTE.id, UNRELATED_SESSIONS)?.ratio ?? NAN_SPREAD;
  checks.push({
    target: 'Unrelated route with the module, sessions in use, ≥ 0.97 × without',
    measured: xs(withSessions),
    verdict: ratioVerdict(withSessions, 0.97),
  });
  const guardedSummary = summaryOf(outcome, GUARDED_ROUTE.id, GUARDED_MEMORY);
  const guarded = guardedSummary?.ratio ?? NAN_SPREAD;
  checks.push({
    target: 'Guarded route ≥ 0.95 × open (memory store)',
    measured: xs(guarded),
    verdict: ratioVerdict(guarded, 0.95),
  });
  const guardedCpu = guardedSummary?.cpuRatio ?? NAN_SPREAD;
  checks.push({
    target: 'Guarded route app CPU per request ≤ 1.10 × open (memory store)',
    measured: xs(guardedCpu),
    verdict: Number.isNaN(guardedCpu.median)
      ? 'not measured'
      : guardedCpu.median <= 1.1
        ? 'met'
        : `missed by ${hundredths(guardedCpu.median - 1.1)}`,
  });
  checks.push({
    target: `${GUARDED_REDIS} ≥ 0.90 × ${GUARDED_MEMORY}`,
    measured: xs(outcome.redisVsMemory),
    verdict: ratioVerdict(outcome.redisVsMemory, 0.9),
  });
  const heap = outcome.heap.find((h) => h.contender === OURS_MEMORY)?.bytesPerSession ?? Number.NaN;
  checks.push({
    target: '≤ 800 B of heap per in-memory session',
    measured: Number.isNaN(heap) ? '–' : `${Math.round(heap).toLocaleString('en-US')} B`,
    verdict: Number.isNaN(heap)
      ? 'not measured'
      : heap <= 800
        ? 'met'
        : `missed by ${Math.round(heap - 800).toLocaleString('en-US')} B`,
  });
  const stampede = outcome.stampede.find((s) => s.contender === OURS_REDIS);
  checks.push({
    target: 'Cold stampede with Redis: 1 token request per cluster',
    measured: stampede ? `${stampede.tokenRequests} token requests, ${stampede.failed} failed calls` : '–',
    verdict: !stampede
      ? 'not measured'
      : stampede.tokenRequests <= 1 && stampede.failed === 0
        ? 'met'
        : `missed by ${stampede.tokenRequests - 1} token request${stampede.tokenRequests - 1 === 1 ? '' : 's'}`,
  });
  const overload = outcome.overload;
  checks.push({
    target: `Cold stampede with Redis, machine at ${E2E_SETTINGS.overloadBurnersPerCore}× its cores in load: 0 failed calls, ≤ 1 token request per process`,
    measured: overload
      ? `${overload.result.failed} failed calls, ${overload.result.tokenRequests} token requests (${E2E_SETTINGS.stampedeProcesses} processes); load average ${overload.load.loadAverage1m.toFixed(1)}`
      : '–',
    verdict: !overload
      ? 'not measured'
      : overload.result.failed === 0 && overload.result.tokenRequests <= E2E_SETTINGS.stampedeProcesses
        ? 'met'
        : 'missed',
  });
  for (const logins of outcome.logins) {
    checks.push({
      target: `Login throughput ≥ 0.8 × hand-rolled password grant + Map (${logins.variant.id})`,
      measured: `${xs(logins.ratio)}; CPU per login ${x(logins.cpuRatio.median)}`,
      verdict: ratioVerdict(logins.ratio, 0.8),
    });
  }
  return checks;
}
