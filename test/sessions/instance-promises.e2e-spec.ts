import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import {
  CANDESCENT_STORE,
  type CandescentSessionService,
  type CandescentStore,
  MemoryStore,
  RedisStore,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { hashHandle } from '../../libs/candescent-auth/src/session/session-handle';
import type { StoredSession } from '../../libs/candescent-auth/src/session/stored-session.interface';
import { isSessionValueKey, sessionKeys } from '../../libs/candescent-auth/src/store/session-keys';
import { sampleEnvFor, startSample } from '../support/app-testing';
import { FakeClock } from '../support/clock';
import { DelegatingStore } from '../support/delegating-store';
import { LogCapture } from '../support/logs';
import { openSessionInstance } from '../support/module';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { startSandbox } from '../support/sandbox';
import { sleep, waitFor } from '../support/wait';

const [alice, bob] = DEMO_CUSTOMERS;

/** A store that counts the writes of session values, so a test can tell a cheap call from one that writes. */
class CountingStore extends DelegatingStore {
  sessionWrites = 0;

  constructor(private readonly redis: RedisStore) {
    super(redis);
  }

  override set(key: string, value: string, ttlMs: number) {
    if (isSessionValueKey(key)) this.sessionWrites++;
    return super.set(key, value, ttlMs);
  }
  override replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string) {
    this.sessionWrites++;
    return super.replaceIfLocked(key, value, ttlMs, lockKey, fence);
  }
  replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number) {
    this.sessionWrites++;
    return this.redis.replaceIfUnchanged(key, expected, value, ttlMs);
  }
}

async function stored(store: CandescentStore, id: string): Promise<StoredSession> {
  return JSON.parse((await store.get(sessionKeys.value(id))) ?? 'null') as StoredSession;
}

/**
 * Promises the module keeps per session across instances sharing one Redis: the refusal
 * cooldown of a customer token holds for the whole fleet, and renewed tokens are stored only
 * while the session still carries the refresh token that was spent, whoever holds the lease.
 */
describeRedis('session promises across instances on one Redis', () => {
  let redis: RedisServerHandle;
  let raw: Redis;
  let sandbox: CandescentSandbox;
  const encryptionKey = randomBytes(32).toString('base64');
  const opened: Array<{ close: () => Promise<void> }> = [];
  let logs: LogCapture;

  /** `count` module instances, each with its own Redis connection, on one fake clock. */
  async function instances(
    count: number,
    clock: FakeClock,
  ): Promise<Array<{ sessions: CandescentSessionService; store: CountingStore }>> {
    const made = [];
    for (let i = 0; i < count; i++) {
      const inner = new RedisStore({ url: redis.url, encryptionKey });
      const store = new CountingStore(inner);
      const instance = await openSessionInstance(
        sandbox,
        store,
        clock,
        { session: { idleTimeoutMs: 3_600_000 } },
        logs,
      );
      opened.push({ close: () => instance.close() }, { close: () => inner.close() });
      made.push({ sessions: instance.sessions, store });
    }
    return made;
  }

  /** Successful refresh grants per refresh token spent: one each when no token was spent twice. */
  function refreshesPerToken(): number[] {
    const spent = new Map<string, number>();
    for (const r of sandbox.requests()) {
      if (r.route !== 'v2-token' || r.form.grant_type !== 'refresh_token' || r.status !== 200) continue;
      spent.set(r.form.refresh_token, (spent.get(r.form.refresh_token) ?? 0) + 1);
    }
    return [...spent.values()];
  }

  const refreshGrants = () => sandbox.counters().byGrant.refresh_token;

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
    sandbox = await startSandbox();
  });

  beforeEach(() => {
    logs = new LogCapture();
  });

  afterEach(async () => {
    for (const m of opened.splice(0)) await m.close();
    sandbox.clearFaults();
    sandbox.resetCounters();
  });

  afterAll(async () => {
    raw.disconnect();
    await sandbox.stop();
    await redis.stop();
  });

  it('three instances hearing that a never-accepted replacement was refused spend one refresh rotation in all', async () => {
    const clock = new FakeClock();
    const [a, b, c] = await instances(3, clock);
    const login = await a.sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(login.sessionToken);
    const first = (await a.sessions.authenticate(login.sessionToken)).session.tokens.v2!.accessToken;
    sandbox.resetCounters();

    // Candescent refused the login's token on A: one rotation brings the replacement.
    const replacement = (await a.sessions.renew(id, first)).v2!.accessToken;
    expect(replacement).not.toBe(first);
    expect(refreshGrants()).toBe(1);

    // The replacement is refused on every instance before it ever worked: the calls are refused, not the token.
    const kept = await Promise.all([a, b, c].map(({ sessions }) => sessions.renew(id, replacement)));
    expect(kept.map((tokens) => tokens.v2?.accessToken)).toEqual([replacement, replacement, replacement]);
    expect((await c.sessions.renew(id, replacement)).v2?.accessToken).toBe(replacement);
    expect(refreshGrants()).toBe(1);
    // What the store keeps of the replacement is a hash, not the token.
    const record = (await stored(c.store, id)).refusal;
    expect(record?.accepted).toBe(false);
    expect(record?.replacement).toMatch(/^[\w-]{43}$/);
    expect(JSON.stringify(record)).not.toContain(replacement);

    // B's request reads the session and Candescent accepts a call with the replacement: recorded
    // once, however many calls succeed; a token that is not the pending replacement writes nothing.
    await b.sessions.authenticate(login.sessionToken);
    const writesBefore = b.store.sessionWrites;
    for (let i = 0; i < 50; i++) b.sessions.reportAccepted(id, replacement);
    await waitFor(async () => (await stored(b.store, id)).refusal?.accepted === true, 5_000, 'the acceptance');
    const writesOnA = a.store.sessionWrites;
    for (let i = 0; i < 50; i++) a.sessions.reportAccepted(id, replacement);
    await sleep(50);
    expect(b.store.sessionWrites - writesBefore).toBe(1);
    expect(a.store.sessionWrites - writesOnA).toBe(0);

    // Accepted once, a later refusal means the token really went bad: C renews it.
    const renewed = await c.sessions.renew(id, replacement);
    expect(renewed.v2?.accessToken).not.toBe(replacement);
    expect(refreshGrants()).toBe(2);
    expect((await stored(a.store, id)).tokens.v2?.accessToken).toBe(renewed.v2?.accessToken);
    expect(refreshesPerToken().every((n) => n === 1)).toBe(true);
  });

  it('a renewal waiting behind a lock nobody will release returns the tokens its holder already stored', async () => {
    const clock = new FakeClock();
    const [a, b] = await instances(2, clock);
    const login = await a.sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(login.sessionToken);
    const refused = (await a.sessions.authenticate(login.sessionToken)).session.tokens.v2!.accessToken;
    // A renews and stores its tokens, but its release of the lock is lost (as in a failover): the
    // lock stays taken for its whole lease, with nobody to release it.
    const renewed = await a.sessions.renew(id, refused);
    expect(await b.store.acquireLock(sessionKeys.lock(id), 60_000)).toEqual(expect.any(String));

    // B heard the old token refused: the session already holds its replacement, so B need not
    // wait for the lock (the fake clock stands still: the lease alone would never end the wait).
    let timer: NodeJS.Timeout | undefined;
    const tokens = await Promise.race([
      b.sessions.renew(id, refused),
      new Promise<'still waiting for the lock'>((resolve) => {
        timer = setTimeout(() => {
          resolve('still waiting for the lock');
        }, 5_000);
      }),
    ]).finally(() => {
      clearTimeout(timer);
    });
    expect(tokens).not.toBe('still waiting for the lock');
    expect(typeof tokens === 'object' && tokens.v2?.accessToken).toBe(renewed.v2?.accessToken);
    expect(refreshGrants()).toBe(1);
  });

  it('through the guard and the outgoing interceptor: a token the gateway keeps refusing costs one rotation for two apps', async () => {
    const env = {
      ...sampleEnvFor(sandbox),
      REDIS_URL: redis.url,
      CANDESCENT_STORE_KEY: encryptionKey,
      LOGIN_RATE_LIMIT: '1000',
    };
    const appA = await startSample(env, { external: sandbox });
    const appB = await startSample(env, { external: sandbox });
    opened.push(appA, appB);
    const session = await appA.client.sessionFor(alice);
    sandbox.resetCounters();
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: Infinity });
    const statuses: number[] = [];
    for (const app of [appA, appB, appA, appB, appB])
      statuses.push((await app.client.get('/accounts', session)).status);
    // The first refusal renews and replays; the replacement, refused before it ever worked, is
    // kept by both apps: later calls fail at once instead of each app rotating the refresh token.
    expect(statuses.every((status) => status >= 400)).toBe(true);
    expect(sandbox.counters().byGrant).toEqual({ refresh_token: 1 });

    // Once the gateway accepts the replacement (on B), a later refusal of it (on A) renews it.
    sandbox.clearFaults();
    expect((await appB.client.get('/accounts', session)).status).toBe(200);
    // The acceptance is recorded in the background.
    const storeOfB = appB.app.get<CandescentStore>(CANDESCENT_STORE);
    await waitFor(async () => (await stored(storeOfB, hashHandle(session))).refusal?.accepted === true);
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });
    expect((await appA.client.get('/accounts', session)).status).toBe(200);
    expect(sandbox.counters().byGrant).toEqual({ refresh_token: 2 });
  });

  it('the fleet keeps a refused replacement until the cooldown ends, then renews it once', async () => {
    const clock = new FakeClock();
    const [a, b] = await instances(2, clock);
    const login = await a.sessions.login({ username: bob.username, password: bob.password });
    const id = hashHandle(login.sessionToken);
    const first = (await a.sessions.authenticate(login.sessionToken)).session.tokens.v2!.accessToken;
    sandbox.resetCounters();
    const replacement = (await a.sessions.renew(id, first)).v2!.accessToken;
    clock.advance(9_000); // within the default tokenRefusalCooldownMs (10 s)
    expect((await b.sessions.renew(id, replacement)).v2?.accessToken).toBe(replacement);
    expect(refreshGrants()).toBe(1);
    clock.advance(1_001); // the cooldown is over: a refusal is worth a renewal again, one for both
    const [onA, onB] = await Promise.all([a.sessions.renew(id, replacement), b.sessions.renew(id, replacement)]);
    expect(onA.v2?.accessToken).not.toBe(replacement);
    expect(onB.v2?.accessToken).toBe(onA.v2?.accessToken);
    expect(refreshGrants()).toBe(2);
  });

  /** Lets the renewal lease of session `id` run out now, as it does after a long stall (Redis keeps real time). */
  async function leaseRunsOut(id: string): Promise<void> {
    let lock: string | undefined;
    await waitFor(
      // The renewal lock itself, not the marker of the refresh token being spent.
      async () => (lock = (await raw.keys('*')).find((k) => k.includes(`lock:session:{${id}}`))) !== undefined,
      5_000,
      'the renewal lock',
    );
    expect(await raw.pexpire(lock!, 1)).toBe(1);
    await waitFor(async () => (await raw.exists(lock!)) === 0, 1_000, 'the lease to end');
  }

  it("an instance whose lease ran out while the gateway stalled takes the other instance's rotated tokens", async () => {
    const clock = new FakeClock();
    const [a, b] = await instances(2, clock);
    const login = await a.sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(login.sessionToken);
    clock.advance(1_750_000); // inside the refresh window of the 1799 s token
    sandbox.resetCounters();
    sandbox.injectFault({ kind: 'latency', ms: 1_000, route: 'v2-token' });
    const slow = a.sessions.renew(id);
    await leaseRunsOut(id);
    const onB = await b.sessions.renew(id);
    const onA = await slow;

    expect(onA.v2?.refreshToken).toBe(onB.v2?.refreshToken);
    expect((await stored(a.store, id)).tokens.v2?.refreshToken).toBe(onB.v2?.refreshToken);
    expect(refreshesPerToken()).toEqual([1]);
    expect(logs.linesAt('warn').join('\n')).not.toMatch(/could not be stored/);
    expect((await a.sessions.authenticate(login.sessionToken)).session.tokens.v2?.accessToken).toBe(
      onB.v2?.accessToken,
    );
  });

  it("an instance renewing after another one's lease ran out mid-refresh adopts its rotation instead of ending the session", async () => {
    const clock = new FakeClock();
    const [a, b] = await instances(2, clock);
    const login = await a.sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(login.sessionToken);
    clock.advance(1_750_000);
    sandbox.resetCounters();
    // The gateway rotates A's refresh token at once but trickles the answer: A's lease runs out
    // before A hears, and B renews with the refresh token A already spent.
    sandbox.injectFault({ kind: 'slow-body', ms: 1_500, route: 'v2-token' });
    const slow = a.sessions.renew(id);
    await leaseRunsOut(id);
    const onB = await b.sessions.renew(id);
    const onA = await slow;

    expect(onB.v2?.refreshToken).toBe(onA.v2?.refreshToken);
    expect((await stored(b.store, id)).tokens.v2?.refreshToken).toBe(onA.v2?.refreshToken);
    expect((await b.sessions.authenticate(login.sessionToken)).session.tokens.v2?.accessToken).toBe(
      onA.v2?.accessToken,
    );
    // B never spent the refresh token A had spent.
    expect(refreshesPerToken()).toEqual([1]);
    expect(sandbox.requests().filter((r) => r.form.grant_type === 'refresh_token' && r.status !== 200)).toEqual([]);
  });

  it('an instance whose lease ran out stores its rotated tokens when no other instance renewed meanwhile', async () => {
    const clock = new FakeClock();
    const [a, b] = await instances(2, clock);
    const login = await a.sessions.login({ username: bob.username, password: bob.password });
    const id = hashHandle(login.sessionToken);
    clock.advance(1_750_000);
    sandbox.resetCounters();
    sandbox.injectFault({ kind: 'latency', ms: 500, route: 'v2-token' });
    const slow = a.sessions.renew(id);
    await leaseRunsOut(id);
    const onA = await slow;

    // The refresh token A spent was still the stored one, so A's tokens are the session's now.
    expect((await stored(b.store, id)).tokens.v2?.refreshToken).toBe(onA.v2?.refreshToken);
    // The next renewal, on B, spends A's rotated refresh token and the session lives on.
    clock.advance(1_750_000);
    const next = await b.sessions.renew(id);
    expect(next.v2?.accessToken).not.toBe(onA.v2?.accessToken);
    expect((await b.sessions.authenticate(login.sessionToken)).session.tokens.v2?.accessToken).toBe(
      next.v2?.accessToken,
    );
    expect(refreshesPerToken()).toEqual([1, 1]);
  });
});

/** The same promise on a memory store that two instances share, where the lease runs on the fake clock. */
describe('a renewal lease that ran out on a shared memory store', () => {
  let sandbox: CandescentSandbox;
  const opened: Array<{ close: () => Promise<void> }> = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterAll(async () => {
    for (const m of opened.splice(0)) await m.close();
    await sandbox.stop();
  });

  it('still stores the rotated tokens when nobody changed the session meanwhile', async () => {
    const clock = new FakeClock();
    const shared = new MemoryStore({ now: () => clock.now() });
    const overrides = { session: { idleTimeoutMs: 3_600_000 } };
    const a = await openSessionInstance(sandbox, shared, clock, overrides);
    const b = await openSessionInstance(sandbox, shared, clock, overrides);
    opened.push(a, b);
    const login = await a.sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(login.sessionToken);
    clock.advance(1_750_000);
    sandbox.injectFault({ kind: 'latency', ms: 300, route: 'v2-token' });
    const slow = a.sessions.renew(id);
    await sleep(50);
    clock.advance(35_001); // past the lease: the default 30 s request deadline plus its 5 s margin
    const onA = await slow;
    expect((await stored(shared, id)).tokens.v2?.refreshToken).toBe(onA.v2?.refreshToken);
    clock.advance(1_750_000);
    expect((await b.sessions.renew(id)).v2?.accessToken).not.toBe(onA.v2?.accessToken);
    expect(sandbox.counters().byGrant.refresh_token).toBe(2);
  });
});
