import { randomBytes } from 'node:crypto';
import { AccountSessions } from '../session/account-sessions';
import { hashHandle, newSessionHandle } from '../session/session-handle';
import { SessionRecords } from '../session/session-records';
import type { StoredSession } from '../session/stored-session.interface';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentToken } from '../token/candescent-token.interface';
import { SharedTokenCache } from '../token/shared-token.cache';
import type { CandescentRedisClient } from './redis-client.interface';
import { slotTagged } from './redis-keys';
import { RedisStore } from './redis.store';
import { sessionKeys } from './session-keys';

/** CRC16-CCITT (XMODEM) as Redis Cluster computes it (cluster.c keyHashSlot), over the hash tag. */
function keySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf('{');
  let part = bytes;
  if (open !== -1) {
    const close = bytes.indexOf('}', open + 1);
    if (close > open + 1) part = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of part) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** One command as the store sent it, with the keys it names (for EVAL: the declared keys). */
interface Sent {
  command: string;
  keys: string[];
}

/** Enough of Redis for the store's commands, recording each with its keys. */
class RecordingClient implements CandescentRedisClient {
  readonly status = 'ready';
  readonly sent: Sent[] = [];
  protected readonly data = new Map<string, string>();

  get(key: string): Promise<string | null> {
    this.sent.push({ command: 'get', keys: [key] });
    return Promise.resolve(this.data.get(key) ?? null);
  }

  set(key: string, value: string, _mode: 'PX', _ttl: number, nx?: 'NX'): Promise<'OK' | null> {
    this.sent.push({ command: 'set', keys: [key] });
    if (nx && this.data.has(key)) return Promise.resolve(null);
    this.data.set(key, value);
    return Promise.resolve('OK');
  }

  del(...keys: string[]): Promise<number> {
    this.sent.push({ command: 'del', keys });
    return Promise.resolve(keys.filter((key) => this.data.delete(key)).length);
  }

  eval(script: string, numberOfKeys: number, ...args: string[]): Promise<unknown> {
    const keys = args.slice(0, numberOfKeys);
    this.sent.push({ command: 'eval', keys });
    // Taking a lock: set if absent, or yes when the fence (the first argument) already holds it.
    if (script.includes("'NX'")) {
      const [lock, fence] = [keys[0], args[numberOfKeys]];
      if (!this.data.has(lock)) this.data.set(lock, fence);
      return Promise.resolve(this.data.get(lock) === fence ? 1 : 0);
    }
    // The other scripts compare a lock (the last key) to the fence (the last argument) before acting.
    const lock = keys[keys.length - 1];
    if (this.data.get(lock) !== args[args.length - 1]) return Promise.resolve(0);
    if (numberOfKeys === 2) this.data.set(keys[0], args[numberOfKeys]);
    else this.data.delete(lock);
    return Promise.resolve(1);
  }

  quit(): Promise<unknown> {
    return Promise.resolve('OK');
  }

  disconnect(): void {
    // nothing to close
  }

  on(): unknown {
    return this;
  }
}

const TIMING = {
  requestDeadlineMs: 2_000,
  tokenRefreshWindowMs: 60_000,
  tokenRefreshFraction: 0.1,
  tokenRefreshJitter: 0,
} as ResolvedCandescentAuthOptions;

describe('Redis key slots (no CROSSSLOT on a Redis Cluster)', () => {
  const client = new RecordingClient();
  const store = new RedisStore({ client, encryptionKey: randomBytes(32).toString('base64') });
  const id = hashHandle(newSessionHandle());
  const account = randomBytes(32).toString('base64url');
  const tokenKey = 'institution:client:v2:00042:accounts:read';

  beforeAll(async () => {
    const now = Date.now();
    const session: StoredSession = {
      v: 1,
      rev: 1,
      account,
      tokens: { customer: { fiId: '00042', loginId: 'alice' } },
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + 60_000,
    };
    // Every session and token path the module takes through the store.
    const records = new SessionRecords(store, Date.now, 60_000);
    await records.create(id, session);
    const read = await records.readForUpdate(id);
    const fence = await store.acquireLock(sessionKeys.lock(id), 10_000);
    expect(read).toBeDefined();
    // What counts here is the keys the conditional write sends; this client does not run its script.
    if (read) await records.update(id, read, (latest) => ({ ...latest }), fence ?? '');
    await store.releaseLock(sessionKeys.lock(id), fence ?? '');
    await store.set(sessionKeys.seen(id), String(now), 60_000);
    await new AccountSessions(store, 10, 60_000).add(account, id, (ids) => Promise.resolve(ids.map(() => true)));
    const token: CandescentToken = {
      accessToken: 'not-a-real-token',
      expiresAt: now + 600_000,
      issuedAt: now,
      service: 'v2',
    } as CandescentToken;
    await new SharedTokenCache(store, TIMING, Date.now).obtain(tokenKey, () => Promise.resolve(token));
    await records.end(id, session, 'revoked');
    await records.endReason(id);
  });

  it('computes slots as Redis does (the CRC16 test vector and hash tags)', () => {
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    // The examples of the Redis Cluster specification.
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  });

  it('sends the scripts it uses, and every script or multi-key command touches one slot only', () => {
    const multiKey = client.sent.filter((sent) => sent.keys.length > 1);
    // Renewed tokens go through REPLACE_IF_UNCHANGED, which names the session value alone; the
    // fenced REPLACE_IF_LOCKED (value and lock) is for stores without it. Nothing names several keys.
    expect(multiKey.map((sent) => sent.command)).toEqual([]);
    for (const sent of client.sent) {
      expect({ command: sent.command, slots: new Set(sent.keys.map(keySlot)).size }).toEqual({
        command: sent.command,
        slots: sent.keys.length === 0 ? 0 : 1,
      });
    }
  });

  it('keeps all records of one session (value, activity, revision, end, lock) in one slot', () => {
    const ofSession = client.sent.flatMap((sent) => sent.keys).filter((key) => key.includes(id));
    const kinds = new Set(ofSession.map((key) => key.replace(id, 'ID')));
    expect([...kinds].sort()).toEqual(
      [
        'candescent:data:session:{ID}',
        'candescent:data:session-seen:{ID}',
        'candescent:data:session-rev:{ID}',
        'candescent:data:session-end:{ID}',
        'candescent:lock:lock:session:{ID}',
      ].sort(),
    );
    expect(new Set(ofSession.map(keySlot)).size).toBe(1);
  });

  it("keeps an account's list and its lock in one slot", () => {
    const ofAccount = client.sent.flatMap((sent) => sent.keys).filter((key) => key.includes(account));
    expect(new Set(ofAccount.map((key) => key.replace(account, 'A')))).toEqual(
      new Set(['candescent:data:session-account:{A}', 'candescent:lock:lock:session-account:{A}']),
    );
    expect(new Set(ofAccount.map(keySlot)).size).toBe(1);
  });

  it('keeps an institution token and its lock in one slot', () => {
    const ofToken = client.sent.flatMap((sent) => sent.keys).filter((key) => key.includes(tokenKey));
    expect(new Set(ofToken)).toEqual(
      new Set([`candescent:data:{token:${tokenKey}}`, `candescent:lock:{token:${tokenKey}}`]),
    );
    expect(new Set(ofToken.map(keySlot)).size).toBe(1);
  });

  it.each([['token:a}b'], ['token:a{b'], ['token:{x}y'], ['x{}y'], ['plain']])(
    'puts any key (%j) and its lock in one slot, whatever braces it holds',
    (key) => {
      expect(keySlot(`p:data:${slotTagged(key)}`)).toBe(keySlot(`p:lock:${slotTagged(key)}`));
    },
  );

  it('spreads different sessions over different slots', () => {
    const slots = new Set(
      Array.from({ length: 50 }, () => keySlot(`candescent:data:${sessionKeys.value(hashHandle(newSessionHandle()))}`)),
    );
    expect(slots.size).toBeGreaterThan(40);
  });
});

/** The same, as a cluster client that answers MGET: ioredis's Cluster says so with `isCluster`. */
class ClusterRecordingClient extends RecordingClient {
  readonly isCluster = true;

  mget(...keys: string[]): Promise<Array<string | null>> {
    this.sent.push({ command: 'mget', keys });
    return Promise.resolve(keys.map((key) => this.data.get(key) ?? null));
  }
}

describe('getMany on a Redis Cluster', () => {
  const client = new ClusterRecordingClient();
  const store = new RedisStore({ client, encryptionKey: randomBytes(32).toString('base64') });
  const [a, b] = [hashHandle(newSessionHandle()), hashHandle(newSessionHandle())];
  const recordsOf = (id: string) => [
    sessionKeys.value(id),
    sessionKeys.seen(id),
    sessionKeys.revision(id),
    sessionKeys.ended(id),
  ];

  beforeAll(async () => {
    for (const key of [...recordsOf(a), ...recordsOf(b), 'institution:x'])
      await store.set(key, `value of ${key}`, 60_000);
    client.sent.length = 0;
  });

  it("reads a session's records with one MGET, in the order asked", async () => {
    const keys = recordsOf(a);
    expect(await store.getMany(keys)).toEqual(keys.map((key) => `value of ${key}`));
    expect(client.sent.map((sent) => sent.command)).toEqual(['mget']);
  });

  it('sends one MGET per hash slot when the keys span several, each within one slot', async () => {
    client.sent.length = 0;
    const keys = [sessionKeys.value(a), 'institution:x', sessionKeys.seen(b), sessionKeys.seen(a), 'missing'];
    expect(await store.getMany(keys)).toEqual([
      `value of ${sessionKeys.value(a)}`,
      'value of institution:x',
      `value of ${sessionKeys.seen(b)}`,
      `value of ${sessionKeys.seen(a)}`,
      undefined,
    ]);
    const slots = new Set(keys.map((key) => keySlot(`candescent:data:${slotTagged(key)}`)));
    expect(client.sent.map((sent) => sent.command)).toEqual(Array.from(slots, () => 'mget'));
    for (const sent of client.sent) expect(new Set(sent.keys.map(keySlot)).size).toBe(1);
  });
});
