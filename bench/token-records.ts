import type { ResultRow } from './report';
import type { ResultRecord } from './e2e/result-row';

/** The token-level table as results.json rows (ids from the scenario titles). */
export function tokenRecords(rows: readonly ResultRow[]): ResultRecord[] {
  return rows.flatMap(({ scenario, contender, measurement: m }) => {
    const id = scenario.title.replace(/\s+/g, '-');
    const out: ResultRecord[] = [
      { scenario: id, contender, metric: 'token_requests', value: m.tokenRequests, unit: 'requests' },
      { scenario: id, contender, metric: 'errors', value: m.errors, unit: 'calls' },
    ];
    const optional: [string, number | undefined, string][] = [
      ['wall', m.wallMs, 'ms'],
      ['p50_latency', m.p50Ms, 'ms'],
      ['p99_latency', m.p99Ms, 'ms'],
      ['ops_per_s', m.opsPerSec, 'calls/s'],
      ['waited', m.waited, 'calls'],
    ];
    for (const [metric, value, unit] of optional)
      if (value !== undefined) out.push({ scenario: id, contender, metric, value, unit });
    return out;
  });
}
