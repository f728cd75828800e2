import { expiresAt, memoryEntry, valueOf } from './memory-entry';

describe('memory store entries', () => {
  it.each([
    ['a session value', '{"v":1,"tokens":{"customer":{"loginId":"alice"}}}'],
    ['an empty value', ''],
    ['text beyond Latin-1', 'Zoë 北京 🙂 \u0000 end'],
    ['a lone surrogate', 'x\ud800y'],
  ])('give back %s exactly', (_, value) => {
    const entry = memoryEntry(value, 1_000);
    expect(valueOf(entry)).toBe(value);
    expect(expiresAt(entry)).toBe(1_000);
  });

  it.each([0, 1, 1_000_000, Date.UTC(2030, 0, 15), 2 ** 53 - 1, 1_764_585_600_000.25, -5])(
    'keep the expiry %p exactly',
    (time) => {
      expect(expiresAt(memoryEntry('v', time))).toBe(time);
    },
  );

  it('keep each entry its own expiry', () => {
    const first = memoryEntry('one', 10);
    const second = memoryEntry('two', 20);
    expect([expiresAt(first), valueOf(first), expiresAt(second), valueOf(second)]).toEqual([10, 'one', 20, 'two']);
  });
});
