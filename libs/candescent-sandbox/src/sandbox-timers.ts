/**
 * Delays that `stop()` can cancel, so a latency or slow-body fault never keeps the process (or
 * a Jest worker) alive after the sandbox is gone.
 */
export class SandboxTimers {
  private readonly pending = new Map<NodeJS.Timeout, (completed: boolean) => void>();

  /** Resolves true after `ms`, or false at once if the sandbox stops first. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(timer);
          resolve(true);
        },
        Math.max(0, ms),
      );
      this.pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve(false);
    }
    this.pending.clear();
  }
}
