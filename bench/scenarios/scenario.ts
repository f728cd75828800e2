import type { CandescentSandbox } from '@candescent/sandbox';
import type { Contender } from '../contenders/contender';

/** What one scenario measured for one contender. Absent numbers are not measured by that scenario. */
export interface Measurement {
  /** Token requests that reached the sandbox during the measured part. */
  tokenRequests: number;
  /** `getToken()` calls made. */
  calls: number;
  /** Calls that failed, plus calls still unfinished when the run was cut off. */
  errors: number;
  wallMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  opsPerSec?: number;
  /** Calls slower than the waited threshold: they sat behind a token request. */
  waited?: number;
  /** Connections the sandbox's full listen queue dropped during the run (Linux only). */
  listenOverflows?: number;
  /** The first failure, so an error count is never left unexplained. */
  firstError?: string;
}

export interface Scenario {
  readonly title: string;
  /** The number the "vs ours" column divides: load on Candescent, or speed of a cached call. */
  readonly ratioOf: 'tokenRequests' | 'opsPerSec';
  /** `expires_in` the sandbox hands out for this scenario (same for every contender). */
  readonly accessTokenTtlSeconds: number;
  run(contender: Contender, sandbox: CandescentSandbox): Promise<Measurement>;
}

/** Resolves true when `work` settles within `limitMs`, false otherwise; never rejects. */
export async function settleWithin(work: Promise<unknown>, limitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, limitMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
