import { type CandescentAuthModuleOptions, CandescentSessionService, MemoryStore } from '@candescent/auth';
import { CandescentClock } from '@candescent/auth/testing';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type IssuedTokens, SandboxTokenStore } from '../../libs/candescent-sandbox/src/sandbox-token-store';
import { FakeClock } from '../support/clock';
import { LogCapture } from '../support/logs';
import { openSessionInstance } from '../support/module';
import { refreshAtSandbox, startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const [alice, bob] = DEMO_CUSTOMERS;

/**
 * Sessions that end without a logout: idle expiry, the per-account cap, a memory store that is
 * full. Each ends cleanly (a late request hears why), and the session's Candescent tokens are
 * revoked upstream rather than left working for whoever holds them.
 */
describe('sessions that end on their own', () => {
  let sandbox: CandescentSandbox;
  let issueSpy: jest.SpyInstance<IssuedTokens, Parameters<SandboxTokenStore['issue']>>;
  const modules: Array<{ close: () => Promise<void> }> = [];

  async function instance(
    store: MemoryStore,
    clock: CandescentClock,
    overrides: Partial<CandescentAuthModuleOptions> = {},
    logs = new LogCapture(),
  ): Promise<CandescentSessionService> {
    const opened = await openSessionInstance(sandbox, store, clock, overrides, logs);
    modules.push(opened);
    return opened.sessions;
  }

  /** The tokens the sandbox issued for the login just made. */
  const lastIssued = (): IssuedTokens => {
    const result = issueSpy.mock.results.at(-1);
    if (result?.type !== 'return') throw new Error('the sandbox issued no token');
    return result.value;
  };

  /** Whether the sandbox still honours a login's tokens (a refresh spends the refresh token). */
  async function stillAlive(tokens: IssuedTokens): Promise<boolean> {
    if (sandbox.isAccessTokenValid(tokens.accessToken)) return true;
    return tokens.refreshToken !== undefined && (await refreshAtSandbox(sandbox, tokens.refreshToken)) === 200;
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
    issueSpy = jest.spyOn(SandboxTokenStore.prototype, 'issue');
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  afterAll(async () => {
    issueSpy.mockRestore();
    await sandbox.stop();
  });

  it('revokes the tokens of a session found idle-expired', async () => {
    const clock = new FakeClock();
    const sessions = await instance(new MemoryStore({ now: () => clock.now() }), clock);
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const tokens = lastIssued();
    expect(await stillAlive({ ...tokens, refreshToken: undefined })).toBe(true);

    clock.advance(15 * 60_000 + 1);
    await expect(sessions.authenticate(sessionToken)).rejects.toMatchObject({
      status: 401,
      errorCode: 'SESSION_EXPIRED',
    });
    expect(sandbox.isAccessTokenValid(tokens.accessToken)).toBe(false);
    expect(await refreshAtSandbox(sandbox, tokens.refreshToken ?? '')).not.toBe(200);
  });

  it.each([
    // Idle: nothing came through the guard for 15 minutes.
    ['idle', [15 * 60_000 + 1]],
    // Absolute (20 minutes here): a request through the guard at 10 minutes kept it from idling.
    ['absolute', [10 * 60_000, 10 * 60_000 + 1]],
  ])(
    'refuses to renew a session past its %s expiry when a long-lived request (an event stream) asks, and revokes its tokens',
    async (_kind, steps) => {
      const clock = new FakeClock();
      const sessions = await instance(new MemoryStore({ now: () => clock.now() }), clock, {
        session: { idleTimeoutMs: 15 * 60_000, absoluteTimeoutMs: 20 * 60_000 },
      });
      const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
      const tokens = lastIssued();
      const admitted = await sessions.authenticate(sessionToken);
      const grants: Partial<Record<string, number>> = sandbox.counters().byGrant;
      const refreshesBefore = grants.refresh_token ?? 0;
      // The stream was admitted once; its calls go on with no request through the guard.
      for (const [index, step] of steps.entries()) {
        if (index > 0) await sessions.authenticate(sessionToken);
        clock.advance(step);
      }
      await expect(sessions.renew(admitted.id, admitted.session.tokens.v2?.accessToken)).rejects.toMatchObject({
        status: 401,
        errorCode: 'SESSION_EXPIRED',
      });
      const grantsAfter: Partial<Record<string, number>> = sandbox.counters().byGrant;
      expect(grantsAfter.refresh_token ?? 0).toBe(refreshesBefore);
      expect(await refreshAtSandbox(sandbox, tokens.refreshToken ?? '')).not.toBe(200);
      await expect(sessions.authenticate(sessionToken)).rejects.toMatchObject({ status: 401 });
    },
  );

  it("keeps one account's logins from pushing another account's session out, ending the oldest beyond the cap", async () => {
    const clock = new FakeClock();
    const logs = new LogCapture();
    // Room for a few accounts' sessions only, so 100 logins would have evicted everyone else.
    const store = new MemoryStore({ now: () => clock.now(), maxEntries: 30, maxSessionEntries: 30 });
    const sessions = await instance(store, clock, { session: { maxSessionsPerAccount: 3 } }, logs);
    const victim = await sessions.login({ username: bob.username, password: bob.password });

    const handles: string[] = [];
    const issued: IssuedTokens[] = [];
    for (let i = 0; i < 100; i++) {
      clock.advance(10);
      handles.push((await sessions.login({ username: alice.username, password: alice.password })).sessionToken);
      issued.push(lastIssued());
    }

    await expect(sessions.authenticate(victim.sessionToken)).resolves.toMatchObject({
      session: { tokens: { customer: { loginId: 'bob' } } },
    });
    // The three newest logins of the account stay; every older one ended as if logged out.
    for (const handle of handles.slice(-3)) await expect(sessions.authenticate(handle)).resolves.toBeDefined();
    // The oldest end records left the bounded store in turn: refused all the same, as unknown.
    await expect(sessions.authenticate(handles[0] ?? '')).rejects.toMatchObject({ status: 401 });
    await expect(sessions.authenticate(handles[96] ?? '')).rejects.toMatchObject({ errorCode: 'SESSION_REVOKED' });
    expect(sandbox.isAccessTokenValid(issued[0]?.accessToken ?? '')).toBe(false);
    expect(sandbox.isAccessTokenValid(issued[96]?.accessToken ?? '')).toBe(false);
    expect(sandbox.isAccessTokenValid(issued[99]?.accessToken ?? '')).toBe(true);
    // No session was pushed out, and the session bound was never near (end records have their own).
    expect(logs.linesAt('warn').filter((line) => /dropped a session|maxSessionEntries/.test(line))).toEqual([]);
  });

  describe.each([
    ['v2', 'the login id exactly as typed'],
    ['v1', "Candescent's di_ficustomer"],
  ] as const)('on an FI whose login ids are case-sensitive (%s login, keyed by %s)', (loginService, _keyedBy) => {
    it("another customer's logins as ALICE never end alice's session", async () => {
      const clock = new FakeClock();
      const sessions = await instance(new MemoryStore({ now: () => clock.now() }), clock, {
        tokenServices: [loginService],
        session: { maxSessionsPerAccount: 2 },
      });
      const upper =
        sandbox.customers().find((c) => c.username === 'ALICE') ??
        sandbox.addCustomer({ username: 'ALICE', password: 'another-Passw0rd' });
      const victim = await sessions.login({ username: alice.username, password: alice.password });
      for (let i = 0; i < 3; i++) {
        clock.advance(10);
        await sessions.login({ username: ` ${upper.username} `.trim(), password: upper.password });
      }
      await expect(sessions.authenticate(victim.sessionToken)).resolves.toMatchObject({
        session: { tokens: { customer: { loginId: 'alice' } } },
      });
    });
  });

  it("folds login ids only when told to (session.loginIdMatching: 'case-insensitive')", async () => {
    const clock = new FakeClock();
    const sessions = await instance(new MemoryStore({ now: () => clock.now() }), clock, {
      session: { maxSessionsPerAccount: 2, loginIdMatching: 'case-insensitive' },
    });
    const upper =
      sandbox.customers().find((c) => c.username === 'ALICE') ??
      sandbox.addCustomer({ username: 'ALICE', password: 'another-Passw0rd' });
    const first = await sessions.login({ username: alice.username, password: alice.password });
    for (let i = 0; i < 2; i++) {
      clock.advance(10);
      await sessions.login({ username: upper.username, password: upper.password });
    }
    await expect(sessions.authenticate(first.sessionToken)).rejects.toMatchObject({ errorCode: 'SESSION_REVOKED' });
  });

  it("keeps another account's session when a store's general bound is small (default cap and session bound)", async () => {
    const clock = new FakeClock();
    // maxEntries alone used to bound sessions too: 60 logins of one account pushed everyone out.
    const sessions = await instance(new MemoryStore({ now: () => clock.now(), maxEntries: 30 }), clock);
    const victim = await sessions.login({ username: bob.username, password: bob.password });
    for (let i = 0; i < 60; i++) {
      clock.advance(10);
      await sessions.login({ username: alice.username, password: alice.password });
    }
    await expect(sessions.authenticate(victim.sessionToken)).resolves.toMatchObject({
      session: { tokens: { customer: { loginId: 'bob' } } },
    });
  });

  it('warns once as the session bound nears, and revokes the tokens of a session the full store drops', async () => {
    const clock = new FakeClock();
    const logs = new LogCapture();
    // One record per new session (its value; the revision record comes with the first renewal)
    // plus one per account list: the third login makes five records, one over the bound.
    const store = new MemoryStore({ now: () => clock.now(), maxSessionEntries: 4 });
    const sessions = await instance(store, clock, {}, logs);
    const first = await sessions.login({ username: alice.username, password: alice.password });
    const firstTokens = lastIssued();
    await sessions.login({ username: bob.username, password: bob.password });
    await sessions.login({ username: bob.username, password: bob.password });

    await expect(sessions.authenticate(first.sessionToken)).rejects.toMatchObject({ status: 401 });
    await waitFor(
      () => !sandbox.isAccessTokenValid(firstTokens.accessToken),
      3_000,
      "revocation of the dropped session's tokens",
    );
    const warnings = logs.linesAt('warn');
    expect(warnings.filter((line) => line.includes('maxSessionEntries (4)'))).toHaveLength(1);
    expect(warnings.some((line) => line.includes('dropped a session'))).toBe(true);
    expect(warnings.join('\n')).not.toContain(firstTokens.accessToken);
    expect(warnings.join('\n')).not.toContain(first.sessionToken);
  });
});
