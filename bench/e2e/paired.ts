import type { RoundSample } from './interleaved';

/** Smallest, middle and largest of some values (median of an even count: mean of the two middle ones). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

type Metric = 'okPerSec' | 'cpuMicrosPerRequest';

/**
 * `numerator ÷ denominator` of one metric, paired by round: each round's ratio uses the two
 * windows of that round only, so a machine that was slower in round 3 slows both sides of it.
 */
export function pairedRatios(
  samples: readonly RoundSample[],
  numerator: string,
  denominator: string,
  metric: Metric = 'okPerSec',
): number[] {
  const ratios: number[] = [];
  for (const top of samples.filter((s) => s.contender === numerator)) {
    const bottom = samples.find((s) => s.contender === denominator && s.round === top.round);
    if (bottom && bottom[metric] > 0) ratios.push(top[metric] / bottom[metric]);
  }
  return ratios;
}

/** Everything the report shows about one contender of an interleaved scenario. */
export interface ContenderSummary {
  contender: string;
  /** 2xx per second ÷ the reference's, per round. */
  ratio: Spread;
  /** App CPU per request ÷ the reference's, per round. */
  cpuRatio: Spread;
  okPerSec: Spread;
  cpuMicrosPerRequest: Spread;
  p99Ms: Spread;
  non2xx: number;
  errors: number;
}

export function summarize(
  samples: readonly RoundSample[],
  contenders: readonly string[],
  reference: string,
): ContenderSummary[] {
  return contenders.map((contender) => {
    const mine = samples.filter((s) => s.contender === contender);
    return {
      contender,
      ratio: spread(pairedRatios(samples, contender, reference)),
      cpuRatio: spread(pairedRatios(samples, contender, reference, 'cpuMicrosPerRequest')),
      okPerSec: spread(mine.map((s) => s.okPerSec)),
      cpuMicrosPerRequest: spread(mine.map((s) => s.cpuMicrosPerRequest)),
      p99Ms: spread(mine.map((s) => s.p99Ms)),
      non2xx: mine.reduce((sum, s) => sum + s.non2xx, 0),
      errors: mine.reduce((sum, s) => sum + s.errors, 0),
    };
  });
}
