import { CandescentSessionService, type CandescentStore, MemoryStore } from '@candescent/auth';
import { CandescentClock } from '@candescent/auth/testing';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { hashHandle } from '../../libs/candescent-auth/src/session/session-handle';
import { sessionKeys } from '../../libs/candescent-auth/src/store/session-keys';
import { FakeClock } from '../support/clock';
import { DelegatingStore } from '../support/delegating-store';
import { openSessionInstance } from '../support/module';
import { startSandbox } from '../support/sandbox';
import { sleep, waitFor } from '../support/wait';

interface StoredTokens {
  tokens: { v2: { refreshToken: string } };
}

const [alice, bob] = DEMO_CUSTOMERS;

/** A store whose next session read is held until the test lets it go: a slow request, on demand. */
class GatedStore extends DelegatingStore {
  private armed = false;
  private release?: () => void;

  /** The next `session:` read waits for `open()`. */
  arm(): void {
    this.armed = true;
  }

  open(): void {
    this.release?.();
  }

  override async get(key: string): Promise<string | undefined> {
    const value = await this.inner.get(key);
    if (this.armed && key.startsWith('session:')) {
      this.armed = false;
      await new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
    return value;
  }
}

const outcome = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'accepted',
    (error: unknown) => String((error as { errorCode?: unknown }).errorCode),
  );

/**
 * Races between requests of one session: a slow request finishing after a logout or after a
 * renewal must not bring back the old session or the spent refresh token, and two instances
 * renewing at once must spend the refresh token once.
 */
describe('session races', () => {
  let sandbox: CandescentSandbox;
  const modules: Array<{ close: () => Promise<void> }> = [];

  async function instance(
    store: CandescentStore,
    clock: CandescentClock,
    overrides = {},
  ): Promise<CandescentSessionService> {
    const opened = await openSessionInstance(sandbox, store, clock, overrides);
    modules.push(opened);
    return opened.sessions;
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
    sandbox.clearFaults();
    sandbox.resetCounters();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('a request that was slow when the customer logged out does not bring the session back', async () => {
    const clock = new FakeClock();
    const store = new GatedStore(new MemoryStore({ now: () => clock.now() }));
    const sessions = await instance(store, clock);
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    clock.advance(61_000); // due for an activity update
    store.arm();
    const slow = sessions.authenticate(sessionToken);
    await sleep(20);
    await sessions.logout(hashHandle(sessionToken));
    store.open();
    await slow;
    expect(await outcome(sessions.authenticate(sessionToken))).toBe('SESSION_REVOKED');
  });

  it('a slow request does not put back a refresh token that a renewal just spent', async () => {
    const clock = new FakeClock();
    const store = new GatedStore(new MemoryStore({ now: () => clock.now() }));
    const sessions = await instance(store, clock, { session: { idleTimeoutMs: 3_600_000 } });
    const login = await sessions.login({ username: bob.username, password: bob.password });
    const id = hashHandle(login.sessionToken);
    const before = await sessions.authenticate(login.sessionToken);
    clock.advance(61_000);
    store.arm();
    const slow = sessions.authenticate(login.sessionToken);
    await sleep(20);
    // What the outgoing interceptor does when Candescent refuses the access token.
    const renewed = await sessions.renew(id, before.session.tokens.v2?.accessToken);
    store.open();
    await slow;
    const stored = JSON.parse((await store.inner.get(sessionKeys.value(id))) ?? '{}') as StoredTokens;
    expect(stored.tokens.v2.refreshToken).toBe(renewed.v2?.refreshToken);
    expect(stored.tokens.v2.refreshToken).not.toBe(before.session.tokens.v2?.refreshToken);
    // Past the renewed token's refresh point: the stored (rotated) refresh token still works.
    clock.advance(1_790_000);
    expect(await outcome(sessions.authenticate(login.sessionToken))).toBe('accepted');
    // The token still works, so that request started the renewal in the background.
    const storedRefreshToken = async () =>
      (JSON.parse((await store.inner.get(sessionKeys.value(id))) ?? '{}') as StoredTokens).tokens.v2.refreshToken;
    await waitFor(async () => (await storedRefreshToken()) !== renewed.v2?.refreshToken, 5_000, 'the renewal ahead');
    expect(await outcome(sessions.authenticate(login.sessionToken))).toBe('accepted');
    expect(sandbox.counters().byGrant.refresh_token).toBe(2);
  });

  it('two instances renewing while the gateway is slow spend the refresh token once', async () => {
    const clock = new FakeClock();
    const shared = new MemoryStore({ now: () => clock.now() });
    const overrides = { session: { idleTimeoutMs: 3_600_000 } };
    const a = await instance(shared, clock, overrides);
    const b = await instance(shared, clock, overrides);
    const { sessionToken } = await a.login({ username: alice.username, password: alice.password });
    const id = hashHandle(sessionToken);
    clock.advance(1_750_000); // inside the refresh window of the 1799 s token
    sandbox.injectFault({ kind: 'latency', ms: 1_000, route: 'v2-token' });
    const first = outcome(a.renew(id));
    await sleep(20);
    clock.advance(16_000); // a slow gateway: longer than a fixed 15 s lease would last
    const second = await outcome(b.renew(id));
    expect(await first).toBe('accepted');
    expect(second).toBe('accepted');
    expect(sandbox.counters().byGrant.refresh_token).toBe(1);
    expect(await outcome(b.authenticate(sessionToken))).toBe('accepted');
  });

  it('a renewal that finds the session logged out does not store it again', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: () => clock.now() });
    const sessions = await instance(store, clock, { session: { idleTimeoutMs: 3_600_000 } });
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(sessionToken);
    clock.advance(1_750_000);
    sandbox.injectFault({ kind: 'latency', ms: 300, route: 'v2-token' });
    const renewal = outcome(sessions.renew(id));
    await sleep(50);
    await sessions.logout(id);
    expect(await renewal).toBe('SESSION_REVOKED');
    expect(await store.get(sessionKeys.value(id))).toBeUndefined();
    expect(await outcome(sessions.authenticate(sessionToken))).toBe('SESSION_REVOKED');
  });

  it('tokens renewed while the customer logs out are revoked, not left behind', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: () => clock.now() });
    const sessions = await instance(store, clock, { session: { idleTimeoutMs: 3_600_000 } });
    const { sessionToken } = await sessions.login({ username: bob.username, password: bob.password });
    const id = hashHandle(sessionToken);
    clock.advance(1_750_000);
    // The refresh completes while the logout's own revocation is still on its way.
    sandbox.injectFault({ kind: 'latency', ms: 200, route: 'v2-token' });
    sandbox.injectFault({ kind: 'latency', ms: 600, route: 'v2-revoke' });
    const renewal = outcome(sessions.renew(id));
    await sleep(50);
    const logout = sessions.logout(id);
    expect(await renewal).toBe('SESSION_REVOKED');
    await logout;
    expect(sandbox.counters().v2Revoke).toBe(2);
    expect(await store.get(sessionKeys.value(id))).toBeUndefined();
  });
});
