import type { CandescentStore } from './candescent-store.interface';

/** How {@link waitForLock} takes a store lock. */
export interface LockWait {
  /** The lease: how long the lock holds if its holder never releases it. */
  leaseMs: number;
  /** How long to keep trying while someone else holds it. */
  waitMs: number;
  /** The time the wait is measured in (the module's clock). */
  now: () => number;
  /** Pause between attempts. */
  pollMs: number;
  /** Gives up at once when it returns true (the module is shutting down). */
  stop?: () => boolean;
}

/**
 * Takes a store lease lock, polling while another holder has it.
 * @returns the fence, or undefined when the lock stayed taken for `waitMs` (the caller decides
 *   what that means for its request)
 */
export async function waitForLock(store: CandescentStore, key: string, wait: LockWait): Promise<string | undefined> {
  const deadline = wait.now() + wait.waitMs;
  for (;;) {
    const fence = await store.acquireLock(key, wait.leaseMs);
    if (fence !== undefined) return fence;
    if (wait.stop?.() === true || wait.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs).unref());
  }
}
