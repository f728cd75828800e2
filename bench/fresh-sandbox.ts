import { CandescentSandbox } from '@candescent/sandbox';
import { BENCH_SETTINGS } from './bench.settings';

/**
 * Runs `fn` against a new sandbox on a free loopback port, with the token latency injected on
 * every V2 token request, and stops it afterwards whatever happens. A new sandbox per run means
 * counters, issued tokens and open connections never leak from one contender into the next.
 */
export async function withFreshSandbox<T>(
  accessTokenTtlSeconds: number,
  fn: (sandbox: CandescentSandbox) => Promise<T>,
): Promise<T> {
  const sandbox = new CandescentSandbox({ host: '127.0.0.1', port: 0 });
  await sandbox.start();
  try {
    sandbox.configure({ accessTokenTtlSeconds });
    sandbox.injectFault({ kind: 'latency', ms: BENCH_SETTINGS.tokenLatencyMs, times: Infinity, route: 'v2-token' });
    return await fn(sandbox);
  } finally {
    await sandbox.stop();
  }
}
