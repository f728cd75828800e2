import type { LoadSlice, LoadTally } from './soak-load';
import type { WorkerStats } from './soak-messages';
import { SOAK_TARGETS } from './soak.settings';

/** The figures of one run. */
export interface RunResult {
  name: string;
  durationMs: number;
  faultsPerSecond: number;
  load: LoadTally;
  worker: WorkerStats;
  slices: LoadSlice[];
  /** Failover runs: the replicated Redis, when its master was killed and how long the promotion took. */
  failover?: { topology: string; killedAtMs: number; promotedAfterMs?: number };
  /** Outage runs: when the service went down and came back (ms since the load started). */
  outage?: { downAtMs: number; upAtMs: number; resetTimeoutMs: number };
}

const pct = (share: number) => `${(share * 100).toFixed(3)} %`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function availability(run: RunResult): number {
  return run.load.calls === 0 ? 0 : run.load.ok / run.load.calls;
}

/** The targets a fault run missed (empty: it met them all). */
export function missedTargets(run: RunResult): string[] {
  const missed: string[] = [];
  const circuitOpen = Object.entries(run.load.byStatus)
    .filter(([k]) => k.endsWith('CIRCUIT_OPEN'))
    .reduce((n, [, v]) => n + v, 0);
  const status500 = Object.entries(run.load.byStatus)
    .filter(([k]) => k.startsWith('500'))
    .reduce((n, [, v]) => n + v, 0);
  const wrong = run.load.wrongCustomer + run.worker.wrongCustomerAtSandbox;
  const minAvailability = run.failover ? SOAK_TARGETS.minFailoverAvailability : SOAK_TARGETS.minAvailability;
  if (availability(run) < minAvailability)
    missed.push(`availability ${pct(availability(run))} < ${pct(minAvailability)}`);
  if (run.failover && run.load.sessionsEnded > SOAK_TARGETS.maxFailoverSessionsEnded)
    missed.push(`${run.load.sessionsEnded} customer sessions ended`);
  if (circuitOpen > SOAK_TARGETS.maxCircuitOpen) missed.push(`${circuitOpen} CIRCUIT_OPEN answers`);
  if (wrong > SOAK_TARGETS.maxWrongCustomer) missed.push(`${wrong} wrong-customer answers`);
  if (status500 > SOAK_TARGETS.maxStatus500) missed.push(`${status500} answers of 500`);
  if (run.load.calls === 0) missed.push('no calls were made');
  return missed;
}

/** What the outage run must show: it opened, and closed within one reset period of the service coming back. */
export function outageFindings(run: RunResult): { openedAfterMs?: number; closedAfterMs?: number; missed: string[] } {
  const outage = run.outage;
  if (!outage) return { missed: [] };
  const circuit = run.worker.circuit;
  const opened = circuit.find((c) => c.state === 'open' && c.at >= outage.downAtMs);
  const closed = circuit.find((c) => c.state === 'closed' && c.at >= outage.upAtMs);
  const missed: string[] = [];
  if (!opened) missed.push('the breaker never opened while the service was down');
  if (!closed) missed.push('the breaker did not close after the service came back');
  else if (closed.at - outage.upAtMs > outage.resetTimeoutMs + 2_000)
    missed.push(`closed ${closed.at - outage.upAtMs} ms after the service came back, more than one reset period`);
  return {
    openedAfterMs: opened && opened.at - outage.downAtMs,
    closedAfterMs: closed && closed.at - outage.upAtMs,
    missed,
  };
}

/** A plain-text report of one run. */
export function describeRun(run: RunResult): string {
  const seconds = run.durationMs / 1000;
  const statuses = Object.entries(run.load.byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const onInstitutionCalls =
    Object.entries(run.load.institutionFailures)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || 'none';
  const problems =
    Object.entries(run.worker.protocolProblems)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || 'none';
  const taken = Object.values(run.worker.faultsTaken).reduce((a, b) => a + b, 0);
  const lines = [
    `${run.name}: ${seconds.toFixed(0)} s, ${run.faultsPerSecond} faults/s requested, ${run.worker.faultsInjected} injected ` +
      `(${(run.worker.faultsInjected / seconds).toFixed(2)}/s; held back ${(run.worker.faultsHeldBackMs / 1000).toFixed(1)} s in all), ${taken} taken by requests`,
    `  calls ${run.load.calls}, succeeded ${run.load.ok} (${pct(availability(run))}), logins ${run.load.logins}, sessions ended ${run.load.sessionsEnded}`,
    `  longest pause (one call's wait): ${(run.load.longestCallMs / 1000).toFixed(2)} s (answered ${run.load.longestCallStatus || '-'})`,
    `  statuses: ${statuses}`,
    `  of the failed, on institution-token calls: ${onInstitutionCalls} (the rest on customers' calls)`,
    `  wrong-customer answers: ${run.load.wrongCustomer} seen by clients, ${run.worker.wrongCustomerAtSandbox} seen by the sandbox`,
    `  token requests: ${run.worker.tokenRequests} (${(run.worker.tokenRequests / seconds).toFixed(1)}/s) ${JSON.stringify(run.worker.byGrant)}`,
    `  app heap: ${mib(run.worker.heapStartBytes)} at start, ${mib(run.worker.heapEndBytes)} at end`,
    `  protocol problems seen by the sandbox (4xx without an injected fault): ${problems}`,
    `  circuit: ${run.worker.circuit.map((c) => `${c.state}@${(c.at / 1000).toFixed(1)}s`).join(' -> ')}`,
  ];
  if (run.failover) {
    lines.push(
      `  failover: ${run.failover.topology}; master killed at ${(run.failover.killedAtMs / 1000).toFixed(1)} s, replica promoted ${run.failover.promotedAfterMs === undefined ? 'never seen' : `${(run.failover.promotedAfterMs / 1000).toFixed(1)} s later`}`,
      `  calls succeeding per 5 s: ${fiveSecondAvailability(run.slices)}`,
    );
  }
  if (run.outage) {
    const found = outageFindings(run);
    lines.push(
      `  outage: down ${(run.outage.downAtMs / 1000).toFixed(0)}-${(run.outage.upAtMs / 1000).toFixed(0)} s; opened ${found.openedAfterMs ?? '-'} ms after, closed ${found.closedAfterMs ?? '-'} ms after it came back (reset ${run.outage.resetTimeoutMs} ms)`,
      `  calls succeeding per 5 s: ${fiveSecondAvailability(run.slices)}`,
    );
  }
  return lines.join('\n');
}

function fiveSecondAvailability(slices: readonly LoadSlice[]): string {
  const out: string[] = [];
  for (let i = 0; i < slices.length; i += 5) {
    const group = slices.slice(i, i + 5);
    const calls = group.reduce((n, s) => n + s.calls, 0);
    const ok = group.reduce((n, s) => n + s.ok, 0);
    out.push(calls === 0 ? '-' : `${Math.round((ok / calls) * 100)}%`);
  }
  return out.join(' ');
}
