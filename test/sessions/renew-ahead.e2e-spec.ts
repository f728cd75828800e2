import { CandescentSessionService, MemoryStore } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { FakeClock } from '../support/clock';
import { LogCapture } from '../support/logs';
import { openSessionInstance } from '../support/module';
import { startSandbox } from '../support/sandbox';
import { sleep, waitFor } from '../support/wait';

const [alice] = DEMO_CUSTOMERS;

/**
 * Renewal ahead of time: while a session's tokens still work, the request that finds them due
 * is served with them and the renewal runs alongside. A renewal that fails there costs the
 * customer nothing, is not repeated by every following request, and is retried a moment later.
 */
describe('renewing customer tokens ahead of time', () => {
  let sandbox: CandescentSandbox;
  let close: (() => Promise<void>) | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    sandbox = await startSandbox();
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await sandbox.stop();
  });

  afterEach(async () => {
    await close?.();
    sandbox.clearFaults();
    sandbox.resetCounters();
  });

  async function open(clock: FakeClock, logs: LogCapture): Promise<CandescentSessionService> {
    const store = new MemoryStore({ now: () => clock.now() });
    const opened = await openSessionInstance(sandbox, store, clock, { session: { idleTimeoutMs: 3_600_000 } }, logs);
    close = opened.close;
    return opened.sessions;
  }

  it('serves a failed renewal on the current tokens, pauses, then renews on a later request', async () => {
    const clock = new FakeClock();
    const logs = new LogCapture();
    const sessions = await open(clock, logs);
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const issued = (await sessions.authenticate(sessionToken)).session.tokens.v2?.accessToken;
    clock.advance(1_750_000); // inside the refresh window of the 1799 s token, which still works
    // A truncated answer to every attempt of the refresh grant (retry.maxAttempts is 3).
    sandbox.injectFault({ kind: 'malformed', route: 'v2-token', times: 3 });

    const served = await sessions.authenticate(sessionToken);
    expect(served.session.tokens.v2?.accessToken).toBe(issued);
    await waitFor(() => logs.entries.some((e) => /Renewing customer tokens failed/.test(e.line)), 5_000, 'the warning');
    expect(sandbox.counters().byGrant.refresh_token).toBe(3);

    // Right after the failure, requests are served without asking the token service again.
    for (let i = 0; i < 5; i++) {
      expect((await sessions.authenticate(sessionToken)).session.tokens.v2?.accessToken).toBe(issued);
    }
    await sleep(50);
    expect(sandbox.counters().byGrant.refresh_token).toBe(3);

    // After the pause the next request starts a renewal again, and it lands.
    clock.advance(1_000);
    await sessions.authenticate(sessionToken);
    await waitFor(
      async () => (await sessions.authenticate(sessionToken)).session.tokens.v2?.accessToken !== issued,
      5_000,
      'the renewed token',
    );
    expect(sandbox.counters().byGrant.refresh_token).toBe(4);
    expect(unhandled).toEqual([]);
  });

  it('gives requests that joined a failed renewal ahead one more renewal of their own, shared', async () => {
    const clock = new FakeClock();
    const sessions = await open(clock, new LogCapture());
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const issued = (await sessions.authenticate(sessionToken)).session.tokens.v2?.accessToken;
    // Every attempt of the renewal ahead fails (retry.maxAttempts is 3); then the service is healthy.
    sandbox.injectFault({ kind: 'server-error', route: 'v2-token', times: 3 });
    clock.advance(1_750_000);
    expect((await sessions.authenticate(sessionToken)).session.tokens.v2?.accessToken).toBe(issued);

    // The renewal is still under way when the tokens stop working: requests wait for it.
    clock.advance(48_500);
    const served = await Promise.all(Array.from({ length: 5 }, () => sessions.authenticate(sessionToken)));
    const tokens = new Set(served.map((s) => s.session.tokens.v2?.accessToken));
    expect(tokens.size).toBe(1);
    expect(tokens.has(issued)).toBe(false);
    // Three failed attempts, then one renewal for all five requests.
    expect(sandbox.counters().byGrant.refresh_token).toBe(4);
    expect(unhandled).toEqual([]);
  });

  it('renews before answering once the tokens no longer work', async () => {
    const clock = new FakeClock();
    const sessions = await open(clock, new LogCapture());
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const issued = (await sessions.authenticate(sessionToken)).session.tokens.v2?.accessToken;
    clock.advance(1_798_000); // within the last 2 s of the token's life: not to be sent any more

    const served = await sessions.authenticate(sessionToken);
    expect(served.session.tokens.v2?.accessToken).not.toBe(issued);
    expect(sandbox.counters().byGrant.refresh_token).toBe(1);
  });

  it('spreads the renewals of sessions opened together over the jitter, each session at its own moment', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: () => clock.now() });
    const opened = await openSessionInstance(
      sandbox,
      store,
      clock,
      // The whole 60 s window is jitter: a session is due somewhere between 60 s and 0 s before expiry.
      { tokenRefreshJitter: 1, session: { idleTimeoutMs: 3_600_000, maxSessionsPerAccount: 50 } },
      new LogCapture(),
    );
    close = opened.close;
    const { sessions } = opened;
    const handles: string[] = [];
    for (let i = 0; i < 20; i++) {
      handles.push((await sessions.login({ username: alice.username, password: alice.password })).sessionToken);
    }
    const firstTokens = await Promise.all(
      handles.map(async (h) => (await sessions.authenticate(h)).session.tokens.v2?.accessToken),
    );
    clock.advance(1_769_000); // the middle of the 1799 s tokens' refresh window
    await Promise.all(handles.map((h) => sessions.authenticate(h)));
    const renewedNow = async () =>
      (await Promise.all(handles.map((h) => sessions.authenticate(h)))).filter(
        (s, i) => s.session.tokens.v2?.accessToken !== firstTokens[i],
      ).length;
    // Settled: every refresh grant the service saw has landed, and nothing changed for 100 ms.
    let last = -1;
    await waitFor(
      async () => {
        const now = await renewedNow();
        const settled = now > 0 && now === last && now === sandbox.counters().byGrant.refresh_token;
        last = now;
        if (!settled) await sleep(100);
        return settled;
      },
      10_000,
      'the renewals ahead to land',
    );
    // Random handles: all 20 on one side of the middle has a chance of 2 in a million.
    const renewed = await renewedNow();
    expect(renewed).toBeGreaterThan(0);
    expect(renewed).toBeLessThan(20);

    // The same sessions keep their moments: those not yet due stay so on every request.
    await sleep(50);
    expect(await renewedNow()).toBe(renewed);
    expect(sandbox.counters().byGrant.refresh_token).toBe(renewed);
  });
});
