import { Injectable } from '@nestjs/common';

/**
 * The module's source of time. Replace it in tests with
 * `.overrideProvider(CandescentClock).useValue(fakeClock)` to control token expiry.
 */
@Injectable()
export class CandescentClock {
  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }

  /** Resolves after `ms`; tests may make it instant. Timers are unref'd so they never hold the process. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}
