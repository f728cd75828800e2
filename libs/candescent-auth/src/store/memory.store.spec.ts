import { Logger } from '@nestjs/common';
import { CandescentConfigurationError, CandescentInvalidRequestError } from '../errors/candescent-auth.error';
import { MemoryStore } from './memory.store';

describe('MemoryStore', () => {
  let time: number;
  let store: MemoryStore;
  const now = () => time;

  beforeEach(() => {
    time = 1_000_000;
    store = new MemoryStore({ now });
  });

  it('returns a value until its ttl ends, then forgets it', async () => {
    await store.set('k', 'v', 1000);
    time += 999;
    await expect(store.get('k')).resolves.toBe('v');
    time += 1;
    await expect(store.get('k')).resolves.toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('gives back any text exactly, and compares it exactly before a conditional write', async () => {
    const text = JSON.stringify({ name: 'Zoë 北京 🙂', odd: 'x\ud800y', long: 'a'.repeat(5_000) });
    await store.set('k', text, 1000);
    await expect(store.get('k')).resolves.toBe(text);
    await expect(store.replaceIfUnchanged('k', `${text} `, 'lost', 1000)).resolves.toBe(false);
    await expect(store.replaceIfUnchanged('k', text, 'won', 1000)).resolves.toBe(true);
    await expect(store.getMany(['k', 'absent'])).resolves.toEqual(['won', undefined]);
  });

  it('expires by a clock with fractions of a millisecond', async () => {
    time = 1_000_000.75;
    await store.set('k', 'v', 1000);
    time += 999.5;
    await expect(store.get('k')).resolves.toBe('v');
    time += 0.5;
    await expect(store.get('k')).resolves.toBeUndefined();
  });

  it('overwrites a value and its ttl', async () => {
    await store.set('k', 'old', 100);
    await store.set('k', 'new', 5000);
    time += 1000;
    await expect(store.get('k')).resolves.toBe('new');
  });

  it('deletes values, and deleting an absent key is fine', async () => {
    await store.set('k', 'v', 1000);
    await store.delete('k');
    await store.delete('never-set');
    await expect(store.get('k')).resolves.toBeUndefined();
  });

  it('treats a ttl of zero or less as already expired', async () => {
    await store.set('k', 'v', 1000);
    await store.set('k', 'v2', 0);
    await expect(store.get('k')).resolves.toBeUndefined();
  });

  it('rejects (does not throw) a non-finite ttl', async () => {
    const pending = store.set('k', 'v', Number.NaN);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBeInstanceOf(CandescentInvalidRequestError);
    await expect(store.acquireLock('l', 0)).rejects.toBeInstanceOf(CandescentInvalidRequestError);
  });

  it('stays within maxEntries, evicting the least recently used', async () => {
    const small = new MemoryStore({ maxEntries: 2, now });
    await small.set('a', '1', 10_000);
    await small.set('b', '2', 10_000);
    await small.get('a');
    await small.set('c', '3', 10_000);
    expect(small.size).toBe(2);
    await expect(small.get('b')).resolves.toBeUndefined();
    await expect(small.get('a')).resolves.toBe('1');
    await expect(small.get('c')).resolves.toBe('3');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxEntries %p', (maxEntries) => {
    expect(() => new MemoryStore({ maxEntries })).toThrow(CandescentConfigurationError);
    expect(() => new MemoryStore({ maxSessionEntries: maxEntries })).toThrow(
      /maxSessionEntries must be a positive integer/,
    );
  });

  it('keeps open sessions apart from other values, each within its own bound', async () => {
    const small = new MemoryStore({ maxEntries: 3, maxSessionEntries: 2, now });
    await small.set('session:victim', 's', 10_000);
    await small.set('session-rev:victim', '1', 10_000);
    // A flood of other values (end records, tokens) pushes out only other values.
    for (let i = 0; i < 50; i++) await small.set(`session-end:${i}`, 'revoked', 10_000);
    await expect(small.get('session:victim')).resolves.toBe('s');
    await expect(small.get('session-end:0')).resolves.toBeUndefined();
    await expect(small.get('session-end:49')).resolves.toBe('revoked');
    // And sessions push out only sessions.
    await small.set('session:newer', 's2', 10_000);
    await expect(small.get('session-end:49')).resolves.toBe('revoked');
    expect(small.size).toBe(5);
  });

  it('tells listeners about unexpired values it evicts, not about deletes, overwrites or expiry', async () => {
    const small = new MemoryStore({ maxSessionEntries: 1, now });
    const evicted: Array<[string, string]> = [];
    small.onEvicted((key, value) => evicted.push([key, value]));
    await small.set('session:a', 'A', 10_000);
    await small.set('session:a', 'A2', 10_000);
    await small.delete('session:a');
    await small.set('session:b', 'B', 100);
    time += 100;
    await small.set('session:c', 'C', 10_000);
    await small.set('session:d', 'D', 10_000);
    expect(evicted).toEqual([['session:c', 'C']]);
  });

  it('warns once per bound when it is 80% full', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const small = new MemoryStore({ maxEntries: 5, maxSessionEntries: 5, now });
      for (let i = 0; i < 3; i++) await small.set(`session:${i}`, 'v', 10_000);
      expect(warn).not.toHaveBeenCalled();
      for (let i = 3; i < 10; i++) await small.set(`session:${i}`, 'v', 10_000);
      for (let i = 0; i < 10; i++) await small.set(`other:${i}`, 'v', 10_000);
      const lines = warn.mock.calls.map((call) => String(call[0]));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/holds 4 of its maxSessionEntries \(5\).*sessions end/);
      expect(lines[1]).toMatch(/holds 4 of its maxEntries \(5\)/);
    } finally {
      warn.mockRestore();
    }
  });

  it('gives a lease to one holder at a time, with a unique fence', async () => {
    const fence = await store.acquireLock('l', 1000);
    expect(fence).toMatch(/^[0-9a-f-]{36}$/);
    await expect(store.acquireLock('l', 1000)).resolves.toBeUndefined();
    await expect(store.acquireLock('other', 1000)).resolves.toEqual(expect.any(String));
    await store.releaseLock('l', fence!);
    const next = await store.acquireLock('l', 1000);
    expect(next).toEqual(expect.any(String));
    expect(next).not.toBe(fence);
  });

  it('does not release a lease for a wrong fence', async () => {
    await store.acquireLock('l', 1000);
    await store.releaseLock('l', 'not-the-fence');
    await expect(store.acquireLock('l', 1000)).resolves.toBeUndefined();
  });

  it('lets a lease expire, and a late release by the old holder does not free the new one', async () => {
    const first = await store.acquireLock('l', 1000);
    time += 1000;
    const second = await store.acquireLock('l', 1000);
    expect(second).toEqual(expect.any(String));
    await store.releaseLock('l', first!);
    await expect(store.acquireLock('l', 1000)).resolves.toBeUndefined();
  });

  it('keeps locks apart from values of the same key', async () => {
    await store.set('k', 'v', 1000);
    const fence = await store.acquireLock('k', 1000);
    await store.releaseLock('k', fence!);
    await expect(store.get('k')).resolves.toBe('v');
  });

  it('drops everything on close', async () => {
    await store.set('k', 'v', 1000);
    await store.acquireLock('l', 1000);
    await store.close();
    await expect(store.get('k')).resolves.toBeUndefined();
    await expect(store.acquireLock('l', 1000)).resolves.toEqual(expect.any(String));
  });

  it('uses the real clock by default', async () => {
    const real = new MemoryStore();
    // Long enough that a busy machine does not expire it between the write and the first read.
    await real.set('k', 'v', 300);
    await expect(real.get('k')).resolves.toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 450));
    await expect(real.get('k')).resolves.toBeUndefined();
  });
});
