import {
  type CandescentAuthModuleOptions,
  CandescentForbiddenError,
  CandescentInvalidRequestError,
  CandescentSessionExpiredError,
  type CandescentToken,
  type CandescentTokenService,
  CandescentUnavailableError,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { FakeClock } from '../support/clock';
import { oneModuleAtATime } from '../support/module';
import { thrownBy } from '../support/outcome';
import { refreshAtSandbox, startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

/**
 * CandescentTokenService against the sandbox: caching, single-flight, renewal ahead of expiry on
 * a fake clock, customer login, refresh rotation and revocation. The sandbox shares the fake
 * clock, so it agrees with the module about which tokens have expired.
 */

const alice = DEMO_CUSTOMERS[0];
const bob = DEMO_CUSTOMERS[1];
const carol = DEMO_CUSTOMERS[2];
const SECOND = 1_000;

describe('CandescentTokenService', () => {
  const clock = new FakeClock();
  let sandbox: CandescentSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: () => clock.now() });
  });

  const modules = oneModuleAtATime(() => sandbox, { accessTokenTtlSeconds: 1799 });

  // The refresh window is exact only without jitter; every test states the rest it relies on.
  async function open(overrides: Partial<CandescentAuthModuleOptions> = {}): Promise<CandescentTokenService> {
    return (await modules.open({ tokenRefreshJitter: 0, ...overrides }, { clock })).tokens;
  }

  const v2Requests = (): number => sandbox.counters().v2Token;
  const grantCount = (grant: string): number => sandbox.counters().byGrant[grant] ?? 0;

  /** A V2 refresh sent straight to the sandbox, to see whether it still honours a refresh token. */
  async function sandboxAcceptsRefreshToken(refreshToken: string): Promise<boolean> {
    return (await refreshAtSandbox(sandbox, refreshToken)) === 200;
  }

  /** Waits (in real time) until the institution token the service hands out is no longer `old`. */
  async function renewedFrom(tokens: CandescentTokenService, old: CandescentToken): Promise<CandescentToken> {
    let latest = old;
    await waitFor(async () => {
      latest = await tokens.getInstitutionToken();
      return latest.accessToken !== old.accessToken;
    });
    return latest;
  }

  describe('institution tokens', () => {
    it('answers 1,000 concurrent cold callers with one token request and one token', async () => {
      const tokens = await open();
      const before = v2Requests();
      const results = await Promise.all(Array.from({ length: 1000 }, () => tokens.getInstitutionToken()));
      expect(v2Requests() - before).toBe(1);
      expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
      expect(sandbox.isAccessTokenValid(results[0].accessToken)).toBe(true);

      const again = await Promise.all(Array.from({ length: 1000 }, () => tokens.getInstitutionToken()));
      expect(v2Requests() - before).toBe(1);
      expect(again.every((t) => t.accessToken === results[0].accessToken)).toBe(true);
    });

    it('shares one failure among concurrent cold callers and does not cache it', async () => {
      const tokens = await open({ retry: { maxAttempts: 1 } });
      sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
      const before = v2Requests();
      const settled = await Promise.allSettled(Array.from({ length: 200 }, () => tokens.getInstitutionToken()));
      expect(v2Requests() - before).toBe(1);
      expect(settled.every((r) => r.status === 'rejected' && r.reason instanceof CandescentUnavailableError)).toBe(
        true,
      );

      const token = await tokens.getInstitutionToken();
      expect(v2Requests() - before).toBe(2);
      expect(sandbox.isAccessTokenValid(token.accessToken)).toBe(true);
    });

    it('renews once, in the background, from expiresAt - 60 s on (1799 s token, default window)', async () => {
      const tokens = await open();
      const first = await tokens.getInstitutionToken();
      expect(first.expiresAt - first.issuedAt).toBe(1799 * SECOND);
      const before = v2Requests();

      // min(60 s, 20% of 1799 s) = 60 s: nothing happens a millisecond earlier.
      for (const at of [first.issuedAt + 1000 * SECOND, first.expiresAt - 60 * SECOND - 1]) {
        clock.set(at);
        expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      }
      expect(v2Requests()).toBe(before);

      // Slow the renewal down so "callers do not wait for it" is observable.
      sandbox.injectFault({ kind: 'latency', route: 'v2-token', ms: 300 });
      clock.set(first.expiresAt - 60 * SECOND);
      const during = await Promise.all(Array.from({ length: 50 }, () => tokens.getInstitutionToken()));
      expect(during.every((t) => t.accessToken === first.accessToken)).toBe(true);
      // The renewal reaches the sandbox after the callers already have their answer.
      await waitFor(() => v2Requests() - before === 1);
      const renewal = sandbox.requests().at(-1)!;
      expect(renewal.form.grant_type).toBe('client_credentials');
      expect(renewal.status).toBe(0); // still unanswered: the callers above did not wait for it
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      expect(v2Requests() - before).toBe(1);

      const second = await renewedFrom(tokens, first);
      expect(v2Requests() - before).toBe(1);
      expect(second.issuedAt).toBe(first.expiresAt - 60 * SECOND);
      expect(sandbox.isAccessTokenValid(second.accessToken)).toBe(true);

      // The new token starts a new cycle: quiet until its own window.
      clock.set(second.expiresAt - 60 * SECOND - 1);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(second.accessToken);
      expect(v2Requests() - before).toBe(1);
    });

    it('renews a 60 s token at 48 s, not every second', async () => {
      sandbox.configure({ accessTokenTtlSeconds: 60 });
      const tokens = await open();
      const first = await tokens.getInstitutionToken();
      const start = first.issuedAt;
      const before = v2Requests();

      for (let s = 1; s < 48; s++) {
        clock.set(start + s * SECOND);
        expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      }
      expect(v2Requests()).toBe(before);

      clock.set(start + 48 * SECOND);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      const second = await renewedFrom(tokens, first);
      expect(second.issuedAt).toBe(start + 48 * SECOND);

      for (let s = 49; s < 96; s++) {
        clock.set(start + s * SECOND);
        expect((await tokens.getInstitutionToken()).accessToken).toBe(second.accessToken);
      }
      // One renewal in 95 seconds of calls every second.
      expect(v2Requests() - before).toBe(1);
    });

    it('fetches an expired token synchronously: callers get the new one', async () => {
      const tokens = await open();
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      clock.set(first.expiresAt + SECOND);
      expect(sandbox.isAccessTokenValid(first.accessToken)).toBe(false);

      const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getInstitutionToken()));
      expect(v2Requests() - before).toBe(1);
      expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
      expect(results[0].accessToken).not.toBe(first.accessToken);
      expect(sandbox.isAccessTokenValid(results[0].accessToken)).toBe(true);
    });

    it('does not hand out a token in its last seconds (it would expire in flight)', async () => {
      const tokens = await open();
      const first = await tokens.getInstitutionToken();
      clock.set(first.expiresAt - 500);
      const next = await tokens.getInstitutionToken();
      expect(next.accessToken).not.toBe(first.accessToken);
      expect(next.issuedAt).toBe(clock.now());
    });

    it('keeps serving the old token when a background renewal fails, and tries again later', async () => {
      const tokens = await open({ retry: { maxAttempts: 1 } });
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      modules.current!.logs.clear();

      sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
      clock.set(first.expiresAt - 60 * SECOND);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      await waitFor(() =>
        modules.current!.logs.linesAt('warn').some((line) => line.includes('institution token failed')),
      );
      expect(sandbox.requests().at(-1)!.status).toBe(500);

      // Callers neither fail nor trigger a request per call while the failure is fresh.
      const during = await Promise.all(Array.from({ length: 50 }, () => tokens.getInstitutionToken()));
      expect(during.every((t) => t.accessToken === first.accessToken)).toBe(true);
      expect(v2Requests() - before).toBe(1);

      // Later, with the service healthy again, the renewal goes through before the old token ends.
      clock.set(first.expiresAt - 30 * SECOND);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      const second = await renewedFrom(tokens, first);
      expect(v2Requests() - before).toBe(2);
      expect(sandbox.isAccessTokenValid(second.accessToken)).toBe(true);
    });

    it('tries a failed renewal ahead again before a short-lived token ends (4 s token, 0.8 s window)', async () => {
      sandbox.configure({ accessTokenTtlSeconds: 4 });
      const tokens = await open({ retry: { maxAttempts: 1 } });
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      modules.current!.logs.clear();

      sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
      clock.set(first.expiresAt - 800);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      await waitFor(() =>
        modules.current!.logs.linesAt('warn').some((line) => line.includes('institution token failed')),
      );
      expect(v2Requests() - before).toBe(1);

      // 0.5 s before expiry (the token stays usable until 0.2 s before): the renewal is tried again.
      clock.set(first.expiresAt - 500);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      const second = await renewedFrom(tokens, first);
      expect(v2Requests() - before).toBe(2);
      expect(second.expiresAt).toBeGreaterThan(first.expiresAt);
    });

    it('gives callers that joined a failed renewal ahead one more fetch of their own, shared', async () => {
      const tokens = await open({ retry: { maxAttempts: 2 } });
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      // Both attempts of the renewal ahead fail; the service is healthy again afterwards.
      sandbox.injectFault({ kind: 'server-error', route: 'v2-token', times: 2 });
      clock.set(first.expiresAt - 60 * SECOND);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);

      // The renewal is still on the wire when the token stops being usable: callers join it.
      clock.set(first.expiresAt + SECOND);
      const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getInstitutionToken()));
      expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
      expect(results[0].accessToken).not.toBe(first.accessToken);
      expect(sandbox.isAccessTokenValid(results[0].accessToken)).toBe(true);
      // The renewal's two attempts, then one fetch for all twenty.
      expect(v2Requests() - before).toBe(3);
    });

    it('waits out a Retry-After within retry.maxDelayMs before that one more fetch, and gives up on a longer one', async () => {
      const tokens = await open({ retry: { maxAttempts: 1, maxDelayMs: 5_000 } });
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      sandbox.injectFault({ kind: 'unavailable', route: 'v2-token', retryAfterSeconds: 2 });
      clock.set(first.expiresAt - 60 * SECOND);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      clock.set(first.expiresAt + SECOND);
      const waitedFrom = clock.now();
      const second = await tokens.getInstitutionToken();
      expect(second.accessToken).not.toBe(first.accessToken);
      // The module's sleep moves this fake clock: the fetch went out after the 2 s asked for.
      expect(second.issuedAt - waitedFrom).toBeGreaterThanOrEqual(2 * SECOND);
      expect(v2Requests() - before).toBe(2);

      sandbox.injectFault({ kind: 'unavailable', route: 'v2-token', retryAfterSeconds: 10 });
      clock.set(second.expiresAt - 60 * SECOND);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(second.accessToken);
      clock.set(second.expiresAt + SECOND);
      const refused = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.getInstitutionToken()));
      expect(
        refused.every(
          (r) => r.status === 'rejected' && (r.reason as CandescentUnavailableError).retryAfterSeconds === 10,
        ),
      ).toBe(true);
      expect(v2Requests() - before).toBe(3);
    });

    it('does not repeat a failed fetch the callers started themselves', async () => {
      const tokens = await open({ retry: { maxAttempts: 1 } });
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      clock.set(first.expiresAt + SECOND);
      sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
      const own = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.getInstitutionToken()));
      expect(own.every((r) => r.status === 'rejected' && r.reason instanceof CandescentUnavailableError)).toBe(true);
      expect(v2Requests() - before).toBe(1);
    });

    it('caches per service and scope set, whatever the order the scopes are asked in', async () => {
      const tokens = await open({ tokenServices: ['v1', 'v2'] });
      const counters = sandbox.counters();
      const all = await tokens.getInstitutionToken();
      const two = await tokens.getInstitutionToken({ scopes: ['transactions:read', 'accounts:read'] });
      const twoAgain = await tokens.getInstitutionToken({ scopes: ['accounts:read', 'transactions:read'] });
      const legacy = await tokens.getInstitutionToken({ service: 'v1' });
      expect(sandbox.counters().v2Token - counters.v2Token).toBe(2);
      expect(sandbox.counters().v1Token - counters.v1Token).toBe(1);
      expect(new Set([all.accessToken, two.accessToken, legacy.accessToken]).size).toBe(3);
      expect(twoAgain.accessToken).toBe(two.accessToken);
      expect(legacy.service).toBe('v1');
    });

    it('remembers a rejected app key briefly: no token request per caller', async () => {
      const tokens = await open({ consumerSecret: 'wrong-consumer-secret' });
      const before = v2Requests();
      const settled = await Promise.allSettled(Array.from({ length: 100 }, () => tokens.getInstitutionToken()));
      expect(settled.every((r) => r.status === 'rejected' && r.reason instanceof CandescentForbiddenError)).toBe(true);
      expect(v2Requests() - before).toBe(1);

      clock.advance(4 * SECOND);
      expect(await thrownBy(() => tokens.getInstitutionToken())).toBeInstanceOf(CandescentForbiddenError);
      expect(v2Requests() - before).toBe(1);

      // After invalidClientCacheMs (5 s by default) the app key is tried again.
      clock.advance(2 * SECOND);
      expect(await thrownBy(() => tokens.getInstitutionToken())).toBeInstanceOf(CandescentForbiddenError);
      expect(v2Requests() - before).toBe(2);
    });

    it('invalidate(token) drops exactly that token: the next call requests a new one', async () => {
      const tokens = await open();
      const first = await tokens.getInstitutionToken();
      const before = v2Requests();
      expect(tokens.invalidate('not-a-cached-token')).toBe(false);
      expect((await tokens.getInstitutionToken()).accessToken).toBe(first.accessToken);
      expect(v2Requests()).toBe(before);

      expect(tokens.invalidate(first.accessToken)).toBe(true);
      const next = await tokens.getInstitutionToken();
      expect(v2Requests() - before).toBe(1);
      expect(next.accessToken).not.toBe(first.accessToken);
    });
  });

  describe('customer tokens', () => {
    it('logs in on V2 and returns a token set with a refresh token', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: alice.username, password: alice.password });
      expect(set.v1).toBeUndefined();
      expect(set.v2).toMatchObject({ service: 'v2', grant: 'password', tokenType: 'Bearer' });
      expect(set.v2?.refreshToken).toEqual(expect.any(String));
      expect(set.v2?.refreshToken).not.toBe(set.v2?.accessToken);
      expect(set.customer).toMatchObject({ fiId: '00042', loginId: 'alice' });
      expect(sandbox.isAccessTokenValid(set.v2!.accessToken)).toBe(true);
      // The password is used once and not kept with the tokens.
      expect(JSON.stringify(set)).not.toContain(alice.password);
    });

    it('refresh() rotates both tokens; the sandbox rejects the old refresh token afterwards', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: alice.username, password: alice.password });
      const renewed = await tokens.refresh(set);
      expect(renewed.v2!.accessToken).not.toBe(set.v2!.accessToken);
      expect(renewed.v2!.refreshToken).toEqual(expect.any(String));
      expect(renewed.v2!.refreshToken).not.toBe(set.v2!.refreshToken);
      expect(renewed.customer).toEqual(set.customer);
      expect(sandbox.isAccessTokenValid(renewed.v2!.accessToken)).toBe(true);
      expect(await sandboxAcceptsRefreshToken(set.v2!.refreshToken!)).toBe(false);
    });

    it('concurrent refresh() of one set sends one refresh; a late caller with the old set gets the new tokens', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: bob.username, password: bob.password });
      const before = grantCount('refresh_token');

      const results = await Promise.all(Array.from({ length: 25 }, () => tokens.refresh(set)));
      expect(grantCount('refresh_token') - before).toBe(1);
      const accessTokens = new Set(results.map((r) => r.v2!.accessToken));
      const refreshTokens = new Set(results.map((r) => r.v2!.refreshToken));
      expect(accessTokens.size).toBe(1);
      expect(refreshTokens.size).toBe(1);

      const late = await tokens.refresh(set);
      expect(grantCount('refresh_token') - before).toBe(1);
      expect(late.v2!.accessToken).toBe(results[0].v2!.accessToken);
      expect(late.v2!.refreshToken).toBe(results[0].v2!.refreshToken);
      // And the rotated tokens still work: the single refresh did not burn the new refresh token.
      expect(sandbox.isAccessTokenValid(late.v2!.accessToken)).toBe(true);
      const next = await tokens.refresh(late);
      expect(grantCount('refresh_token') - before).toBe(2);
      expect(next.v2!.accessToken).not.toBe(late.v2!.accessToken);
    });

    it('revoke() makes the sandbox reject the access and refresh tokens', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: carol.username, password: carol.password });
      const before = sandbox.counters().v2Revoke;
      await tokens.revoke(set);
      expect(sandbox.counters().v2Revoke - before).toBe(1);
      expect(sandbox.isAccessTokenValid(set.v2!.accessToken)).toBe(false);
      expect(await sandboxAcceptsRefreshToken(set.v2!.refreshToken!)).toBe(false);
      // The module sees the same thing: the session cannot be renewed any more.
      const error = await thrownBy(() => tokens.refresh(set));
      expect(error).toBeInstanceOf(CandescentSessionExpiredError);
    });

    it('logs in on both services in one step; the customer identity comes from V1', async () => {
      const tokens = await open({ tokenServices: ['v1', 'v2'] });
      const counters = sandbox.counters();
      const set = await tokens.login({ username: bob.username, password: bob.password });
      expect(sandbox.counters().v1Token - counters.v1Token).toBe(1);
      expect(sandbox.counters().v2Token - counters.v2Token).toBe(1);
      expect(set.v1).toMatchObject({
        service: 'v1',
        fiId: '00042',
        fiCustomerId: bob.fiCustomerId,
        memberNumber: '000482913',
      });
      expect(set.v2).toMatchObject({ service: 'v2' });
      expect(set.v2?.refreshToken).toEqual(expect.any(String));
      expect(set.customer).toEqual({
        fiId: '00042',
        loginId: 'bob',
        fiCustomerId: bob.fiCustomerId,
        memberNumber: '000482913',
      });
      expect(sandbox.isAccessTokenValid(set.v1!.accessToken)).toBe(true);
      expect(sandbox.isAccessTokenValid(set.v2!.accessToken)).toBe(true);
    });

    it('logs in on both services or on none: a V1 failure revokes the V2 tokens just issued', async () => {
      const tokens = await open({ tokenServices: ['v1', 'v2'], retry: { maxAttempts: 1 } });
      sandbox.injectFault({ kind: 'server-error', route: 'v1-token' });
      const before = sandbox.requests().length;
      const error = await thrownBy(() => tokens.login({ username: alice.username, password: alice.password }));
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      const sent = sandbox.requests().slice(before);
      const revocation = sent.find((r) => r.route === 'v2-revoke');
      const issued = sent.find((r) => r.route === 'v2-token');
      expect(issued?.status).toBe(200);
      expect(revocation?.status).toBe(204);
      expect(revocation?.form.token).toEqual(expect.any(String));
      expect(await sandboxAcceptsRefreshToken(revocation!.form.token)).toBe(false);
    });

    it('refresh() keeps a valid V1 token and drops an expired one (V1 has no refresh grant)', async () => {
      const tokens = await open({ tokenServices: ['v1', 'v2'] });
      const set = await tokens.login({ username: alice.username, password: alice.password });
      clock.advance(10 * SECOND);
      const early = await tokens.refresh(set);
      expect(early.v1?.accessToken).toBe(set.v1!.accessToken);
      expect(early.v2!.accessToken).not.toBe(set.v2!.accessToken);

      clock.set(set.v1!.expiresAt + SECOND);
      const late = await tokens.refresh(early);
      expect(late.v1).toBeUndefined();
      expect(late.v2!.accessToken).not.toBe(early.v2!.accessToken);
      expect(sandbox.isAccessTokenValid(late.v2!.accessToken)).toBe(true);
      expect(late.customer).toEqual(set.customer);
    });

    it.each<[string, unknown]>([
      ['missing username', { password: alice.password }],
      ['empty username', { username: '', password: alice.password }],
      ['empty password', { username: alice.username, password: '' }],
      ['missing password', { username: alice.username }],
      ['a control character in the username', { username: 'alice\u0000', password: alice.password }],
      ['a newline in the password', { username: alice.username, password: `${alice.password}\r\n` }],
      ['a C1 control character in the password', { username: alice.username, password: `${alice.password}\u0085` }],
      ['a 1 MB password', { username: alice.username, password: 'x'.repeat(1024 * 1024) }],
      ['a number as password', { username: alice.username, password: 12345678 }],
      ['no object at all', 'alice:password'],
      ['null', null],
    ])('rejects login with %s before any request', async (_name, credentials) => {
      const tokens = await open({ tokenServices: ['v1', 'v2'] });
      const before = sandbox.counters();
      const error = await thrownBy(() => tokens.login(credentials));
      expect(error).toBeInstanceOf(CandescentInvalidRequestError);
      expect((error as CandescentInvalidRequestError).getStatus()).toBe(400);
      expect(sandbox.counters()).toEqual(before);
    });
  });
});
