import { randomBytes, randomUUID } from 'node:crypto';
import type { CandescentStore } from '../../libs/candescent-auth/src/store/candescent-store.interface';
import { MemoryStore } from '../../libs/candescent-auth/src/store/memory.store';
import { RedisStore } from '../../libs/candescent-auth/src/store/redis.store';
import { FakeClock } from '../support/clock';
import { describeRedis, redisAvailable, startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { sleep } from '../support/wait';

/**
 * One store implementation under the shared contract, with what it needs started and stopped.
 * Expiry is tested without racing the wall clock: the memory store reads a fake clock the test
 * moves, and Redis (which keeps time itself) gets lifetimes of a second, far longer than any
 * pause between a write and the read that must still see it, even on a loaded machine.
 */
interface StoreCase {
  name: string;
  /** A lifetime short enough to wait out, long enough to read a value within it. */
  shortTtlMs: number;
  open(): Promise<CandescentStore>;
  /** Lets at least `ms` pass for the store. */
  passTime(ms: number): Promise<void>;
  shutdown(): Promise<void>;
}

const memoryCase = (): StoreCase => {
  const clock = new FakeClock();
  return {
    name: 'MemoryStore',
    shortTtlMs: 60,
    open: () => Promise.resolve(new MemoryStore({ now: () => clock.now() })),
    passTime: (ms) => {
      clock.advance(ms);
      return Promise.resolve();
    },
    shutdown: () => Promise.resolve(),
  };
};

const redisCase = (): StoreCase => {
  let server: RedisServerHandle | undefined;
  return {
    name: 'RedisStore',
    shortTtlMs: 1_000,
    async open() {
      server = await startRedisServer();
      return new RedisStore({ url: server.url, encryptionKey: randomBytes(32).toString('base64') });
    },
    // Waiting longer than asked only makes an expiry more certain.
    passTime: (ms) => sleep(ms + 50),
    async shutdown() {
      await server?.stop();
    },
  };
};

// Without redis-server the Redis case is announced as skipped (or fails under REQUIRE_REDIS=1)
// while the in-memory case still runs.
if (!redisAvailable()) describeRedis('CandescentStore contract: RedisStore', () => undefined);

describe.each([memoryCase(), ...(redisAvailable() ? [redisCase()] : [])])(
  'CandescentStore contract: $name',
  (storeCase: StoreCase) => {
    let store: CandescentStore;
    // Fresh keys per test, so tests never see each other's values or locks.
    let key: string;

    beforeAll(async () => {
      store = await storeCase.open();
    });

    afterAll(async () => {
      await store.close?.();
      await storeCase.shutdown();
    });

    beforeEach(() => {
      key = `contract:${randomUUID()}`;
    });

    it('reads several keys at once, in order, as get would one by one', async () => {
      expect(store.getMany).toBeDefined();
      await store.set(`${key}:a`, 'first', 10_000);
      await store.set(`${key}:c`, 'third', 10_000);
      await store.set(`${key}:gone`, 'expired', 1);
      await storeCase.passTime(20);
      const keys = [`${key}:a`, `${key}:b`, `${key}:c`, `${key}:gone`];
      const many = await store.getMany!(keys);
      expect(many).toEqual(['first', undefined, 'third', undefined]);
      expect(many).toEqual(await Promise.all(keys.map((k) => store.get(k))));
    });

    it('returns undefined for an absent key', async () => {
      await expect(store.get(key)).resolves.toBeUndefined();
    });

    it('returns what was set, byte for byte', async () => {
      const value = JSON.stringify({ token: 'abc', name: 'Zoë ✓', big: 'x'.repeat(64 * 1024) });
      await store.set(key, value, 10_000);
      await expect(store.get(key)).resolves.toBe(value);
      await store.set(key, '', 10_000);
      await expect(store.get(key)).resolves.toBe('');
    });

    it('overwrites a value', async () => {
      await store.set(key, 'first', 10_000);
      await store.set(key, 'second', 10_000);
      await expect(store.get(key)).resolves.toBe('second');
    });

    it('expires a value after its ttl', async () => {
      await store.set(key, 'short-lived', storeCase.shortTtlMs);
      await expect(store.get(key)).resolves.toBe('short-lived');
      await storeCase.passTime(storeCase.shortTtlMs);
      await expect(store.get(key)).resolves.toBeUndefined();
    });

    it('treats a ttl of zero or less as already expired', async () => {
      await store.set(key, 'v', 10_000);
      await store.set(key, 'v', 0);
      await expect(store.get(key)).resolves.toBeUndefined();
    });

    it('deletes, and deleting an absent key is fine', async () => {
      await store.set(key, 'v', 10_000);
      await store.delete(key);
      await expect(store.get(key)).resolves.toBeUndefined();
      await expect(store.delete(`${key}:never`)).resolves.toBeUndefined();
    });

    it('gives a lock to one holder at a time, with a unique fence', async () => {
      const fence = await store.acquireLock(key, 10_000);
      expect(fence).toEqual(expect.any(String));
      await expect(store.acquireLock(key, 10_000)).resolves.toBeUndefined();
      await store.releaseLock(key, fence!);
      const again = await store.acquireLock(key, 10_000);
      expect(again).toEqual(expect.any(String));
      expect(again).not.toBe(fence);
    });

    it('only lets one of many concurrent acquirers win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.acquireLock(key, 10_000)));
      expect(results.filter((fence) => fence !== undefined)).toHaveLength(1);
    });

    it('does not release a lock for a wrong fence', async () => {
      await store.acquireLock(key, 10_000);
      await store.releaseLock(key, 'wrong-fence');
      await expect(store.acquireLock(key, 10_000)).resolves.toBeUndefined();
    });

    it('ends a lease after its ttl; the old holder cannot release the new one', async () => {
      const first = await store.acquireLock(key, storeCase.shortTtlMs);
      await storeCase.passTime(storeCase.shortTtlMs);
      const second = await store.acquireLock(key, 10_000);
      expect(second).toEqual(expect.any(String));
      await store.releaseLock(key, first!);
      await expect(store.acquireLock(key, 10_000)).resolves.toBeUndefined();
    });

    it('replaces a value only while it is exactly the one read, never an absent or expired one', async () => {
      const replace = store.replaceIfUnchanged!.bind(store);
      await expect(replace(key, 'first', 'second', 10_000)).resolves.toBe(false);
      await expect(store.get(key)).resolves.toBeUndefined();
      await store.set(key, 'first', 10_000);
      await expect(replace(key, 'other', 'second', 10_000)).resolves.toBe(false);
      await expect(store.get(key)).resolves.toBe('first');
      await expect(replace(key, 'first', 'second', 10_000)).resolves.toBe(true);
      await expect(store.get(key)).resolves.toBe('second');
      await expect(replace(key, 'first', 'third', 10_000)).resolves.toBe(false);
      await expect(store.get(key)).resolves.toBe('second');
      await store.set(key, 'short-lived', storeCase.shortTtlMs);
      await storeCase.passTime(storeCase.shortTtlMs);
      await expect(replace(key, 'short-lived', 'back', 10_000)).resolves.toBe(false);
      await expect(store.get(key)).resolves.toBeUndefined();
    });

    it('lets one of many writers that read the same value replace it, and gives the write its ttl', async () => {
      await store.set(key, 'read by all', 10_000);
      const writers = Array.from({ length: 20 }, (_, i) => `writer ${i}`);
      const results = await Promise.all(
        writers.map((w) => store.replaceIfUnchanged!(key, 'read by all', w, storeCase.shortTtlMs)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(store.get(key)).resolves.toBe(writers[results.indexOf(true)]);
      await storeCase.passTime(storeCase.shortTtlMs);
      await expect(store.get(key)).resolves.toBeUndefined();
    });

    it('keeps locks and values apart, even for look-alike keys', async () => {
      await store.set(`lock:${key}`, 'value', 10_000);
      await store.set(key, 'value', 10_000);
      const fence = await store.acquireLock(key, 10_000);
      expect(fence).toEqual(expect.any(String));
      await store.releaseLock(key, fence!);
      await expect(store.get(key)).resolves.toBe('value');
      await expect(store.get(`lock:${key}`)).resolves.toBe('value');
    });
  },
);
