import { MemoryStore } from '../store/memory.store';
import { sessionKeys } from '../store/session-keys';
import { createHash } from 'node:crypto';
import { AccountSessions, appendedBelowCap } from './account-sessions';

describe('AccountSessions', () => {
  const account = 'account-hash';
  let store: MemoryStore;
  const open = new Set<string>();
  const areOpen = (ids: readonly string[]) => Promise.resolve(ids.map((id) => open.has(id)));

  beforeEach(() => {
    store = new MemoryStore();
    open.clear();
  });

  async function add(sessions: AccountSessions, id: string): Promise<string[]> {
    open.add(id);
    const displaced = await sessions.add(account, id, areOpen);
    for (const gone of displaced) open.delete(gone);
    return displaced;
  }

  it('stores the ids alone, oldest first, and hands back the oldest beyond the cap', async () => {
    const sessions = new AccountSessions(store, 2, 60_000);
    await expect(add(sessions, 'a')).resolves.toEqual([]);
    await expect(add(sessions, 'b')).resolves.toEqual([]);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["a","b"]');
    await expect(add(sessions, 'c')).resolves.toEqual(['a']);
    await expect(add(sessions, 'd')).resolves.toEqual(['b']);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["c","d"]');
  });

  it('leaves out sessions that ended meanwhile, so they do not count toward the cap', async () => {
    const sessions = new AccountSessions(store, 2, 60_000);
    await add(sessions, 'a');
    await add(sessions, 'b');
    open.delete('a');
    await expect(add(sessions, 'c')).resolves.toEqual([]);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["b","c"]');
  });

  it('reads a list of the previous format (entries with their times, in any order)', async () => {
    const previous = [
      { id: 'b', createdAt: 2_000 },
      { id: 'a', createdAt: 1_000 },
      { id: 'c', createdAt: 3_000 },
    ];
    await store.set(sessionKeys.account(account), JSON.stringify(previous), 60_000);
    for (const { id } of previous) open.add(id);
    const sessions = new AccountSessions(store, 3, 60_000);
    await expect(add(sessions, 'd')).resolves.toEqual(['a']);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["b","c","d"]');
  });

  it('starts over from a list it cannot read', async () => {
    await store.set(sessionKeys.account(account), 'not json', 60_000);
    const sessions = new AccountSessions(store, 3, 60_000);
    await expect(add(sessions, 'a')).resolves.toEqual([]);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["a"]');
  });

  it('runs concurrent logins of one account in this process in turn, without polling the store lock', async () => {
    let tries = 0;
    const acquire = store.acquireLock.bind(store);
    store.acquireLock = (key, ttlMs) => {
      tries++;
      return acquire(key, ttlMs);
    };
    const sessions = new AccountSessions(store, 3, 60_000);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const displaced = await Promise.all(ids.map((id) => add(sessions, id)));
    // One try each: none found the lock taken by another login of this process and slept.
    expect(tries).toBe(ids.length);
    expect(displaced).toEqual([[], [], [], ['a'], ['b'], ['c']]);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["d","e","f"]');
  });

  it('reads the listed sessions only once the list is full: below the cap nobody is displaced', async () => {
    const checked: string[][] = [];
    const sessions = new AccountSessions(store, 3, 60_000);
    const add = (id: string) =>
      sessions.add(account, id, (ids) => {
        checked.push([...ids]);
        return Promise.resolve(ids.map((listed) => listed !== 'b'));
      });
    await expect(add('a')).resolves.toEqual([]);
    await expect(add('b')).resolves.toEqual([]);
    await expect(add('c')).resolves.toEqual([]);
    expect(checked).toEqual([]);
    // Full: the ended session leaves the list, and only then would the oldest open one be displaced.
    await expect(add('d')).resolves.toEqual([]);
    expect(checked).toEqual([['a', 'b', 'c']]);
    await expect(store.get(sessionKeys.account(account))).resolves.toBe('["a","c","d"]');
  });

  describe('appending below the cap from the stored text', () => {
    /** Session ids as the module makes them: 43 characters of base64url. */
    const sessionId = (n: number) => createHash('sha256').update(String(n)).digest('base64url');
    const ids = Array.from({ length: 6 }, (_, n) => sessionId(n));

    it('gives what parsing and writing out the list would, up to the cap and not beyond', () => {
      let raw: string | undefined;
      for (let n = 0; n < 4; n++) {
        const next = appendedBelowCap(raw, ids[n], 4);
        expect(next).toBe(JSON.stringify(ids.slice(0, n + 1)));
        raw = next;
      }
      // Four listed, cap four: the caller must read the list (somebody may be displaced).
      expect(appendedBelowCap(raw, ids[4], 4)).toBeUndefined();
    });

    it('leaves to the parser a list it did not write that way', () => {
      const previous = JSON.stringify([{ id: ids[0], createdAt: 1 }]);
      for (const raw of [
        previous,
        JSON.stringify(['short', ids[1]]),
        JSON.stringify([ids[0]]).replace(']', ' ]'),
        JSON.stringify([ids[0]]).slice(0, -1),
        'not json',
        '',
      ])
        expect(appendedBelowCap(raw, ids[2], 10)).toBeUndefined();
      expect(appendedBelowCap(undefined, 'needs "escaping"', 10)).toBeUndefined();
    });

    it('ends up with the same list and the same displaced sessions as before', async () => {
      const sessions = new AccountSessions(store, 3, 60_000);
      for (const id of ids.slice(0, 3)) await expect(add(sessions, id)).resolves.toEqual([]);
      await expect(store.get(sessionKeys.account(account))).resolves.toBe(JSON.stringify(ids.slice(0, 3)));
      await expect(add(sessions, ids[3])).resolves.toEqual([ids[0]]);
      await expect(store.get(sessionKeys.account(account))).resolves.toBe(JSON.stringify(ids.slice(1, 4)));
    });
  });
});
