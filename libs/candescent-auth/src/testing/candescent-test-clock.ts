import { CandescentClock } from '../token/candescent-clock';

/**
 * A clock a test moves by hand, for token expiry, refresh windows and session timeouts without
 * waiting. Give it to {@link CandescentTesting.start} (`clock`), which installs it in the module
 * and in the sandbox, so both agree on when a token expires.
 */
export class CandescentTestClock extends CandescentClock {
  private time: number;

  /**
   * @param start - the time the clock starts at, ms since the epoch (default: the real time now).
   * @param sleeps - what the module's waits (retry back-off, Retry-After) do: `'advance'` (the
   *   default) returns at once and moves the clock forward by the wait, so a retry costs no wall
   *   time; `'real'` waits in real time and leaves the clock alone.
   */
  constructor(
    start: number = Date.now(),
    private readonly sleeps: 'advance' | 'real' = 'advance',
  ) {
    super();
    this.time = start;
  }

  /** The clock's time, ms since the epoch. */
  override now(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms` (a token or session due in less than that is then expired). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`CandescentTestClock.advance takes a finite number of ms >= 0, got ${String(ms)}`);
    }
    this.time += ms;
  }

  /** Sets the clock's time, ms since the epoch. */
  set(ms: number): void {
    this.time = ms;
  }

  /** With `sleeps: 'advance'`, moves the clock by `ms` and resolves at once. */
  override sleep(ms: number): Promise<void> {
    if (this.sleeps === 'real') return super.sleep(ms);
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
}
