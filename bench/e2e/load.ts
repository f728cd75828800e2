import autocannon from 'autocannon';
import { E2E_SETTINGS } from './e2e.settings';

/** What one autocannon window measured. */
export interface LoadResult {
  /** 2xx responses per second over the window. */
  okPerSec: number;
  /** 2xx responses in the window. */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs autocannon against `url` for `durationMs` with the bench's connection count unless given. */
export async function runLoad(
  url: string,
  durationMs: number,
  headers: Record<string, string> = {},
  connections: number = E2E_SETTINGS.connections,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: durationMs / 1000,
    headers,
  });
  const ok = result['2xx'];
  return {
    okPerSec: ok / result.duration,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
