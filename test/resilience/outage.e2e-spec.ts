import { firstValueFrom } from 'rxjs';
import type { CandescentAuthModuleOptions, CandescentToken } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS, type RecordedRequest } from '@candescent/sandbox';
import { FakeClock } from '../support/clock';
import { createTokenModule, type OpenedModule } from '../support/module';
import { outcomeOf } from '../support/outcome';
import { closeAfterEachTest } from '../support/resilience-testing';
import { startSandbox } from '../support/sandbox';
import { sleep } from '../support/wait';

/**
 * Time-driven behaviour of the institution token: a token-service outage while a valid token is
 * cached, the spread of refresh-ahead times across instances, and a service that hands out the
 * same token again. The module and the sandbox share one clock that the test moves, so an hour
 * of token life takes a second; HTTP and back-off sleeps stay real (and short).
 */

const SECOND = 1_000;
const alice = DEMO_CUSTOMERS[0];
// Real time given to background renewals after each step of the clock: plenty for loopback
// HTTP and two 5 ms back-offs, so a renewal started in one step finishes in that step.
const SETTLE_MS = 25;

describe('institution token over time', () => {
  let clock: FakeClock;
  let sandbox: CandescentSandbox;
  const opened = closeAfterEachTest(() => sandbox);

  async function setUp(ttlSeconds: number): Promise<void> {
    // Sleeps stay real, so background renewals and their retries never move the time under test.
    clock = new FakeClock({ sleeps: 'real' });
    // The sandbox keeps the same time, so its token expiry and request timestamps match the module's.
    sandbox = await startSandbox({ accessTokenTtlSeconds: ttlSeconds, now: () => clock.now() });
  }

  async function open(overrides: Partial<CandescentAuthModuleOptions> = {}): Promise<OpenedModule> {
    const created = await createTokenModule(
      sandbox,
      {
        retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 5 },
        requestTimeoutMs: 1_000,
        requestDeadlineMs: 3_000,
        ...overrides,
      },
      { clock },
    );
    opened.push(created);
    return created;
  }

  const tokenRequests = (): RecordedRequest[] => sandbox.requests().filter((r) => r.route === 'v2-token');

  describe('a 60 s token-service outage while the cached token is valid', () => {
    it('fails no caller, renews in the background a bounded number of times, and renews once the service is back', async () => {
      await setUp(3_600);
      const { tokens, http } = await open({ tokenRefreshWindowMs: 300_000 });
      const original = await tokens.getInstitutionToken();
      // 120 s before expiry: well inside the 300 s refresh window, and still valid for the whole outage.
      clock.set(original.expiresAt - 120 * SECOND);
      sandbox.injectFault({ route: 'v2-token', kind: 'unavailable', times: Infinity });
      const before = tokenRequests().length;
      const outageStart = clock.now();

      let callerFailures = 0;
      let calls = 0;
      for (let step = 0; step < 60; step++) {
        clock.advance(SECOND);
        const results = await Promise.all([
          ...Array.from({ length: 5 }, () => outcomeOf(() => tokens.getInstitutionToken())),
          outcomeOf(() =>
            firstValueFrom(
              http.get<{ accounts: unknown[] }>('/db-accounts/v1/accounts', { params: { loginId: alice.username } }),
            ),
          ),
        ]);
        calls += results.length;
        for (const [i, result] of results.entries()) {
          if (!result.ok) callerFailures++;
          else if (i < 5) expect((result.value as CandescentToken).accessToken).toBe(original.accessToken);
          else
            expect((result.value as { data: { accounts: unknown[] } }).data.accounts).toHaveLength(
              alice.accounts.length,
            );
        }
        await sleep(SETTLE_MS);
      }

      expect(callerFailures).toBe(0);
      const during = tokenRequests().slice(before);
      expect(during.every((r) => r.status === 503)).toBe(true);
      // Renewal episodes: the distinct instants (shared clock) at which token requests went out.
      const episodes = [...new Set(during.map((r) => r.at))];
      expect(episodes[0]).toBe(outageStart + SECOND);
      expect(episodes.length).toBeGreaterThanOrEqual(2);
      expect(episodes.length).toBeLessThanOrEqual(5);
      // Far from one renewal per call: 360 calls, a handful of attempts, never two in one second.
      expect(during.length).toBeLessThanOrEqual(episodes.length * 2);
      expect(during.length).toBeLessThan(calls / 20);
      for (let i = 1; i < episodes.length; i++)
        expect(episodes[i] - episodes[i - 1]).toBeGreaterThanOrEqual(10 * SECOND);

      // Service back: the token is renewed within a breaker reset and a renewal interval, with
      // callers served all along.
      sandbox.clearFaults();
      const back = clock.now();
      let renewed: CandescentToken | undefined;
      for (let step = 0; step < 60 && !renewed; step++) {
        clock.advance(SECOND);
        const current = await tokens.getInstitutionToken();
        await sleep(SETTLE_MS);
        const next = await tokens.getInstitutionToken();
        if (next.accessToken !== current.accessToken) renewed = next;
      }
      expect(renewed).toBeDefined();
      expect(renewed!.expiresAt).toBeGreaterThan(original.expiresAt);
      expect(renewed!.issuedAt - back).toBeLessThanOrEqual(45 * SECOND);
      expect(tokenRequests().filter((r) => r.status === 200)).toHaveLength(2);
    });

    it('a hanging token service does not slow callers: renewals time out in the background', async () => {
      await setUp(3_600);
      const { tokens } = await open({ tokenRefreshWindowMs: 300_000, requestTimeoutMs: 200 });
      const original = await tokens.getInstitutionToken();
      clock.set(original.expiresAt - 120 * SECOND);
      sandbox.injectFault({ route: 'v2-token', kind: 'latency', ms: 20_000, times: Infinity });
      const before = tokenRequests().length;

      let slowest = 0;
      for (let step = 0; step < 60; step++) {
        clock.advance(SECOND);
        const outcome = await outcomeOf(() => tokens.getInstitutionToken());
        slowest = Math.max(slowest, outcome.ms);
        expect(outcome.ok && outcome.value.accessToken === original.accessToken).toBe(true);
        await sleep(SETTLE_MS);
      }

      // Cache hits never wait for the stalled renewal, and renewals stay few.
      expect(slowest).toBeLessThan(50);
      const attempts = tokenRequests().length - before;
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(10);
    });
  });

  describe('refresh-ahead jitter', () => {
    it('spreads the first renewal of 20 instances over the jitter share of the window', async () => {
      await setUp(3_600);
      const WINDOW = 300 * SECOND;
      const JITTER = 0.1;
      const instances: OpenedModule[] = [];
      for (let i = 0; i < 20; i++) {
        // The user-agent tells the instances apart in the sandbox's recording.
        instances.push(
          await open({ tokenRefreshWindowMs: WINDOW, tokenRefreshJitter: JITTER, appName: `instance-${i}` }),
        );
      }
      const firsts = await Promise.all(instances.map((m) => m.tokens.getInstitutionToken()));
      const expiresAt = firsts[0].expiresAt;
      expect(firsts.every((t) => t.expiresAt === expiresAt)).toBe(true);
      const before = tokenRequests().length;

      for (
        let at = expiresAt - WINDOW - 5 * SECOND;
        at <= expiresAt - WINDOW * (1 - JITTER) + 5 * SECOND;
        at += SECOND
      ) {
        clock.set(at);
        await Promise.all(instances.map((m) => m.tokens.getInstitutionToken()));
        await sleep(SETTLE_MS);
      }

      const renewals = tokenRequests().slice(before);
      const firstRenewal = new Map<string, number>();
      for (const r of renewals)
        if (!firstRenewal.has(r.headers['user-agent'])) firstRenewal.set(r.headers['user-agent'], r.at);
      // Each instance renewed exactly once, inside [expiry - window, expiry - window * (1 - jitter)].
      expect(renewals).toHaveLength(20);
      expect(firstRenewal.size).toBe(20);
      const times = [...firstRenewal.values()];
      for (const t of times) {
        expect(t).toBeGreaterThanOrEqual(expiresAt - WINDOW);
        expect(t).toBeLessThanOrEqual(expiresAt - WINDOW * (1 - JITTER) + SECOND);
      }
      // Not all at once: 20 draws over a 30 s share land on several distinct seconds.
      expect(new Set(times).size).toBeGreaterThanOrEqual(3);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(5 * SECOND);
    });
  });

  describe('a service that hands out the same token again', () => {
    it('with a fresh lifetime (same-token fault): one renewal per refresh window, not one per call', async () => {
      await setUp(60);
      sandbox.injectFault({ route: 'v2-token', kind: 'same-token', times: Infinity });
      const { tokens } = await open();
      const first = await tokens.getInstitutionToken();

      // Five minutes of calls every half second: 600 calls.
      let calls = 0;
      for (let step = 0; step < 600; step++) {
        clock.advance(SECOND / 2);
        const token = await tokens.getInstitutionToken();
        calls++;
        expect(token.accessToken).toBe(first.accessToken);
        expect(clock.now()).toBeLessThan(token.expiresAt);
        if (step % 10 === 9) await sleep(SETTLE_MS);
      }
      await sleep(SETTLE_MS);

      // A 60 s token is renewed 10.8-12 s before expiry: about every 48-50 s, so 6 in 300 s.
      const renewals = tokenRequests().length - 1;
      expect(renewals).toBeGreaterThanOrEqual(5);
      expect(renewals).toBeLessThanOrEqual(7);
      expect(renewals).toBeLessThan(calls / 50);
    });

    it('with the lifetime it has left (a gateway that returns its cached token): a few renewals before expiry, not one per call', async () => {
      await setUp(60);
      const { tokens } = await open();
      const first = await tokens.getInstitutionToken();
      // From now on the service answers with the very same token and the seconds it has left.
      const sameTokenAnswer = () => {
        sandbox.clearFaults();
        const left = Math.floor((first.expiresAt - clock.now()) / SECOND);
        sandbox.injectFault({
          route: 'v2-token',
          kind: 'raw',
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ access_token: first.accessToken, token_type: 'Bearer', expires_in: String(left) }),
          times: Infinity,
        });
      };

      let calls = 0;
      // Calls every 250 ms up to 1 s before expiry.
      while (clock.now() + 250 < first.expiresAt - SECOND) {
        clock.advance(250);
        sameTokenAnswer();
        const outcome = await outcomeOf(() => tokens.getInstitutionToken());
        calls++;
        expect(outcome.ok).toBe(true);
        await sleep(2);
      }

      const renewals = tokenRequests().length - 1;
      expect(renewals).toBeGreaterThanOrEqual(1);
      expect(renewals).toBeLessThanOrEqual(5);
      expect(renewals).toBeLessThan(calls / 20);
    });
  });
});
