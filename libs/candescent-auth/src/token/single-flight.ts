/**
 * At most one promise per key: callers that arrive while one is running share it. The entry is
 * removed when it settles, whatever the outcome, so a failure is never cached here.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current;
    const promise = task().finally(() => {
      if (this.running.get(key) === promise) this.running.delete(key);
    });
    this.running.set(key, promise);
    return promise;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  get size(): number {
    return this.running.size;
  }
}
