import { MemoryStore } from '../store/memory.store';
import { sessionKeys } from '../store/session-keys';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentToken } from '../token/candescent-token.interface';
import { SessionRecords } from './session-records';
import { SharedRefusals } from './shared-refusals';
import type { StoredSession } from './stored-session.interface';

const v2 = (accessToken: string, issuedAt: number, refreshToken = `r-${accessToken}`): CandescentToken => ({
  service: 'v2',
  grant: 'refresh_token',
  accessToken,
  tokenType: 'Bearer',
  issuedAt,
  expiresAt: issuedAt + 1_799_000,
  refreshToken,
});

const session = (tokens: StoredSession['tokens'], refusal?: StoredSession['refusal']): StoredSession => ({
  v: 1,
  rev: 1,
  tokens,
  createdAt: 0,
  lastSeenAt: 0,
  absoluteExpiresAt: 3_600_000,
  refusal,
});

const customer = { fiId: '00042', loginId: 'alice' } as StoredSession['tokens']['customer'];

/** Counts writes of values, so a test can tell a lookup from a write. */
function counted(store: CandescentStore): { store: CandescentStore; writes: () => number } {
  let writes = 0;
  const wrapped: CandescentStore = {
    get: (key) => store.get(key),
    set: (key, value, ttl) => {
      writes++;
      return store.set(key, value, ttl);
    },
    delete: (key) => store.delete(key),
    acquireLock: (key, ttl) => store.acquireLock(key, ttl),
    replaceIfLocked: (...args) => {
      writes++;
      return store.replaceIfLocked(...args);
    },
    replaceIfUnchanged: (...args) => {
      writes++;
      return store.replaceIfUnchanged!(...args);
    },
    releaseLock: (key, fence) => store.releaseLock(key, fence),
  };
  return { store: wrapped, writes: () => writes };
}

describe('SharedRefusals', () => {
  let now = 1_000;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  /** One instance's view: a memory store with its writes counted, and records that report reads to the refusals. */
  function instance() {
    const memory = new MemoryStore({ now: clock });
    const { store, writes } = counted(memory);
    const refusals = new SharedRefusals(500, clock);
    const records = new SessionRecords(store, clock, 60_000, (id, s) => {
      refusals.observe(id, s);
    });
    return { memory, writes, refusals, records };
  }

  it('keeps only the replacement issued after the refusal, never accepted, within the cooldown', () => {
    const refusals = new SharedRefusals(500, clock);
    const record = refusals.record(now, v2('second', now));
    expect(record.replacement).not.toContain('second');
    expect(refusals.holds(record, 'second')).toBe(true);
    expect(refusals.holds(record, 'other')).toBe(false);
    expect(refusals.holds({ ...record, accepted: true }, 'second')).toBe(false);
    expect(refusals.holds(refusals.record(now, v2('older', now - 1)), 'older')).toBe(false);
    expect(refusals.holds(undefined, 'second')).toBe(false);
    now += 499;
    expect(refusals.holds(record, 'second')).toBe(true);
    now += 1;
    expect(refusals.holds(record, 'second')).toBe(false);
  });

  it('records an acceptance once, and only for a replacement a read found pending', async () => {
    const { memory, writes, refusals, records } = instance();
    const pending = session({ customer, v2: v2('second', now) }, refusals.record(now, v2('second', now)));
    await memory.set(sessionKeys.value('s1'), JSON.stringify(pending), 60_000);

    // Not read yet on this instance: nothing known, nothing written.
    refusals.accepted(records, 's1', 'second');
    await records.read('s1');
    const before = writes();
    refusals.accepted(records, 's1', 'not-the-replacement');
    for (let i = 0; i < 20; i++) refusals.accepted(records, 's1', 'second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes() - before).toBe(2); // the session value, then its revision
    expect((await records.read('s1'))?.refusal?.accepted).toBe(true);
    // Read again, it is no longer pending: later acceptances cost nothing.
    refusals.accepted(records, 's1', 'second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes() - before).toBe(2);
  });

  it('forgets a pending replacement once the cooldown is over', async () => {
    const { memory, writes, refusals, records } = instance();
    await memory.set(
      sessionKeys.value('s1'),
      JSON.stringify(session({ customer, v2: v2('second', now) }, refusals.record(now, v2('second', now)))),
      60_000,
    );
    await records.read('s1');
    now += 500;
    refusals.accepted(records, 's1', 'second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes()).toBe(0);
  });
});
