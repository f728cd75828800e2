import { join } from 'node:path';
import type { BenchAppConfig } from './apps/bench-app';
import { ChildHandle } from './child-handle';
import { rotated } from './interleaved';
import { type Spread, spread } from './paired';

export const LOGIN_MODULE = 'this module (memory)';
export const LOGIN_HAND_ROLLED = 'hand-rolled password grant + Map';

/** Who logs in: the customers' accounts and the per-account cap the module runs with. */
export interface LoginVariant {
  readonly id: 'storm' | 'returning';
  readonly title: string;
}

export const LOGIN_VARIANTS: readonly LoginVariant[] = [
  {
    id: 'storm',
    title: '2,000 customers in turn, default options (cap of 10 sessions per account, never reached)',
  },
  {
    id: 'returning',
    title: '20 customers in turn, hundreds of sessions each (cap raised to 1,000, never reached)',
  },
];

/** What the login-throughput scenario measured. */
export interface LoginStormResult {
  variant: LoginVariant;
  rounds: number;
  loginsPerWindow: number;
  /** Module logins per second ÷ the hand-rolled path's, paired by round. */
  ratio: Spread;
  /** Module CPU per login ÷ the hand-rolled path's, paired by round. */
  cpuRatio: Spread;
  rows: { contender: string; loginsPerSec: Spread; cpuMicrosPerLogin: Spread; failed: number }[];
}

interface Window {
  round: number;
  contender: string;
  loginsPerSec: number;
  cpuMicrosPerLogin: number;
  failed: number;
}

/**
 * Login throughput: the module's and the hand-rolled path's processes started side by side, one
 * window of `loginsPerWindow` logins each per round in a rotated order, after an unmeasured
 * window each (connections, JIT).
 */
export async function runLoginStorm(
  config: BenchAppConfig,
  variant: LoginVariant,
  rounds: number,
  loginsPerWindow: number,
): Promise<LoginStormResult> {
  const modes = [
    { contender: LOGIN_MODULE, mode: 'module' },
    { contender: LOGIN_HAND_ROLLED, mode: 'hand-rolled' },
  ];
  const started = await Promise.all(
    modes.map(async ({ contender, mode }) => ({
      contender,
      handle: (
        await ChildHandle.start(`logins ${mode}`, join(__dirname, 'login-storm.process.js'), [
          mode,
          variant.id,
          JSON.stringify(config),
        ])
      ).handle,
    })),
  );
  const windows: Window[] = [];
  try {
    const run = async (handle: ChildHandle, count: number) => {
      const reply = await handle.request({ type: 'logins', count }, 5 * 60_000);
      return {
        loginsPerSec: (count - Number(reply.failed)) / (Number(reply.elapsedMs) / 1000),
        cpuMicrosPerLogin: Number(reply.cpuMicros) / count,
        failed: Number(reply.failed),
      };
    };
    for (const { handle } of started) await run(handle, Math.ceil(loginsPerWindow / 2));
    for (let round = 0; round < rounds; round++) {
      for (const { contender, handle } of rotated(started, round)) {
        windows.push({ round, contender, ...(await run(handle, loginsPerWindow)) });
      }
    }
  } finally {
    await Promise.all(started.map(({ handle }) => handle.stop()));
  }
  const paired = (metric: 'loginsPerSec' | 'cpuMicrosPerLogin') =>
    spread(
      windows
        .filter((w) => w.contender === LOGIN_MODULE)
        .map((w) => {
          const other = windows.find((o) => o.contender === LOGIN_HAND_ROLLED && o.round === w.round);
          return other ? w[metric] / other[metric] : Number.NaN;
        }),
    );
  return {
    variant,
    rounds,
    loginsPerWindow,
    ratio: paired('loginsPerSec'),
    cpuRatio: paired('cpuMicrosPerLogin'),
    rows: modes.map(({ contender }) => {
      const mine = windows.filter((w) => w.contender === contender);
      return {
        contender,
        loginsPerSec: spread(mine.map((w) => w.loginsPerSec)),
        cpuMicrosPerLogin: spread(mine.map((w) => w.cpuMicrosPerLogin)),
        failed: mine.reduce((sum, w) => sum + w.failed, 0),
      };
    }),
  };
}
