import { MemoryStore } from './memory.store';
import { waitForLock } from './store-lock';

describe('waitForLock', () => {
  const wait = { leaseMs: 1_000, waitMs: 60, now: Date.now, pollMs: 5 };

  it('takes a free lock at once and returns its fence', async () => {
    const store = new MemoryStore();
    const fence = await waitForLock(store, 'k', wait);
    expect(fence).toEqual(expect.any(String));
    await expect(store.acquireLock('k', 1_000)).resolves.toBeUndefined();
  });

  it('waits for a holder that releases within waitMs', async () => {
    const store = new MemoryStore();
    const held = await store.acquireLock('k', 1_000);
    setTimeout(() => void store.releaseLock('k', held ?? ''), 20);
    const fence = await waitForLock(store, 'k', { ...wait, waitMs: 1_000 });
    expect(fence).toEqual(expect.any(String));
    expect(fence).not.toBe(held);
  });

  it('gives up after waitMs, or at once when told to stop', async () => {
    const store = new MemoryStore();
    await store.acquireLock('k', 10_000);
    const started = Date.now();
    await expect(waitForLock(store, 'k', wait)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    const stopped = Date.now();
    await expect(waitForLock(store, 'k', { ...wait, waitMs: 10_000, stop: () => true })).resolves.toBeUndefined();
    expect(Date.now() - stopped).toBeLessThan(1_000);
  });

  it('asks an async stop after each taken attempt and gives up when it resolves true', async () => {
    const store = new MemoryStore();
    await store.acquireLock('k', 10_000);
    let asked = 0;
    const fence = await waitForLock(store, 'k', {
      ...wait,
      waitMs: 10_000,
      stop: () => Promise.resolve(++asked === 3),
    });
    expect(fence).toBeUndefined();
    expect(asked).toBe(3);
  });
});
