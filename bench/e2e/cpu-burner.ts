import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the machine's load looked like while the burners ran. */
export interface LoadRecord {
  burners: number;
  cores: number;
  /** The 1-minute load average when the measured work ended. */
  loadAverage1m: number;
  /** Median and largest number of runnable threads (`/proc/loadavg`), sampled while it ran. */
  runnableMedian: number;
  runnableMax: number;
}

/**
 * CPU burners beside the bench: processes that spin until stopped, so the processes under test
 * get a share of the CPU instead of all of it (a machine at several times its cores in load).
 */
export class CpuBurners {
  private readonly children: ChildProcess[];
  private readonly samples: number[] = [];
  private readonly sampler: NodeJS.Timeout;

  private constructor(readonly count: number) {
    this.children = Array.from({ length: count }, () =>
      spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
    );
    this.sampler = setInterval(() => {
      const runnable = runnableNow();
      if (runnable !== undefined) this.samples.push(runnable);
    }, 200);
    this.sampler.unref();
  }

  /** Starts `perCore` burners per core and lets them run `settleMs` before the measured work. */
  static async start(perCore: number, settleMs: number): Promise<CpuBurners> {
    const burners = new CpuBurners(perCore * os.cpus().length);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return burners;
  }

  /** Stops every burner this started and says what the load was. */
  stop(): LoadRecord {
    clearInterval(this.sampler);
    const loadAverage1m = os.loadavg()[0];
    for (const child of this.children) child.kill('SIGKILL');
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      burners: this.count,
      cores: os.cpus().length,
      loadAverage1m,
      runnableMedian: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      runnableMax: sorted.at(-1) ?? Number.NaN,
    };
  }
}

/** Threads runnable right now, from the fourth field of /proc/loadavg (Linux); undefined elsewhere. */
function runnableNow(): number | undefined {
  try {
    const [, , , field = ''] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    const running = Number(field.split('/')[0]);
    return Number.isFinite(running) ? running : undefined;
  } catch {
    return undefined;
  }
}
