import { CandescentClock } from '@candescent/auth/testing';

export interface FakeClockOptions {
  /** The time the clock starts at, ms since the epoch. */
  start?: number;
  /**
   * What the module's `sleep` does. `advance` (the default) returns at once and moves the time
   * forward by what was asked, so retry back-off costs no wall time but still counts against
   * deadlines. `real` waits in real time and leaves the time alone, so background renewals and
   * their retries never move the time the test is reasoning about (suites that choose it keep
   * their back-offs short).
   */
  sleeps?: 'advance' | 'real';
}

/** A clock the test moves by hand; the module and the sandbox can share it. */
export class FakeClock extends CandescentClock {
  /** The current fake time, ms since the epoch. */
  time: number;
  private readonly sleeps: 'advance' | 'real';

  constructor({ start = Date.UTC(2030, 0, 15, 12, 0, 0), sleeps = 'advance' }: FakeClockOptions = {}) {
    super();
    this.time = start;
    this.sleeps = sleeps;
  }

  override now(): number {
    return this.time;
  }

  /** Sets the fake time. */
  set(ms: number): void {
    this.time = ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  override sleep(ms: number): Promise<void> {
    if (this.sleeps === 'real') return super.sleep(ms);
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
}
