import type { CandescentStore } from './candescent-store.interface';

/** What a lease adds to the request it guards, so it cannot lapse while that request still runs. */
const LEASE_MARGIN_MS = 5_000;
const DEFAULT_POLL_MS = 25;

/** How {@link waitForLock} takes a store lock. */
export interface LockWait {
  /** The lease: how long the lock holds if its holder never releases it. */
  leaseMs: number;
  /** How long to keep trying while someone else holds it. */
  waitMs: number;
  /** The time the wait is measured in (the module's clock). */
  now: () => number;
  /** Pause between attempts. @default 25 */
  pollMs?: number;
  /**
   * Asked after each attempt that found the lock taken; gives up at once when it returns true
   * (the module is shutting down, or the holder already produced what the caller waited for).
   */
  stop?: () => boolean | Promise<boolean>;
}

/** The lease of a lock held across one Candescent request: the request's deadline plus a margin. */
export function leaseAcross(requestDeadlineMs: number): number {
  return requestDeadlineMs + LEASE_MARGIN_MS;
}

/**
 * Takes a store lease lock, polling while another holder has it.
 * @returns the fence, or undefined when the lock stayed taken for `waitMs` or `stop` said so
 *   (the caller decides what that means for its request)
 */
export async function waitForLock(store: CandescentStore, key: string, wait: LockWait): Promise<string | undefined> {
  const deadline = wait.now() + wait.waitMs;
  for (;;) {
    const fence = await store.acquireLock(key, wait.leaseMs);
    if (fence !== undefined) return fence;
    if ((await wait.stop?.()) === true || wait.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? DEFAULT_POLL_MS).unref());
  }
}
