import { randomBytes, randomUUID } from 'node:crypto';
import { type AccountsCall, type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/sandbox';
import {
  type AccountsBody,
  accountIds,
  type Client,
  entry,
  type ErrorBody,
  idsIn,
  type LoginBody,
  type RunningSample,
  SESSION_HANDLE,
  sampleEnvFor,
  StandIn,
  startSample,
  tokensIn,
} from '../support/app-testing';
import { basicAuth, CANONICAL_UUID, startSandbox } from '../support/sandbox';
import { sleep, waitFor } from '../support/wait';

/**
 * A customer's whole session through the sample app over real HTTP: login, reads, renewal,
 * expiry and logout, for each token service setup. The apps talk to the sandbox through a
 * recording pass-through, so the suite also sees every token Candescent handed out and can prove
 * none of them reached the client.
 */

const [alice, bob, carol] = DEMO_CUSTOMERS;
// Sandbox lifetime for the renewal tests: short enough to wait out, long enough for a few calls.
const SHORT_TTL_SECONDS = 2;

describe('customer sessions over HTTP', () => {
  let sandbox: CandescentSandbox;
  let upstream: StandIn;
  let v2: RunningSample;
  let v1: RunningSample;
  let both: RunningSample;
  const handles: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    upstream = await StandIn.start(() => false, sandbox.url);
    const start = (service: string) =>
      startSample(
        { ...sampleEnvFor(sandbox, upstream.url), CANDESCENT_LOGIN_SERVICE: service, LOGIN_RATE_LIMIT: '100' },
        { external: sandbox },
      );
    [v2, v1, both] = await Promise.all([start('v2'), start('v1'), start('both')]);
  });

  afterAll(async () => {
    await Promise.all([v2, v1, both].filter(Boolean).map((app) => app.close()));
    await upstream.close();
    await sandbox.stop();
  });

  /** Logs in and keeps the handle, so the last test can look for it on the Candescent side. */
  async function open(app: RunningSample, customer: { username: string; password: string }): Promise<string> {
    const handle = await app.client.sessionFor(customer);
    handles.push(handle);
    return handle;
  }

  const lastCall = (): AccountsCall => {
    const call = sandbox.accountsCalls().at(-1);
    if (!call) throw new Error('no accounts call reached the sandbox');
    return call;
  };

  /** The access and refresh token of the latest password-grant answer of one token service. */
  function issuedAtLogin(path: '/oauth2/v1/token' | '/v1/oauth/token'): { accessToken: string; refreshToken: string } {
    const logins = upstream
      .to(path)
      .filter((request) => request.body.includes('grant_type=password') && request.status === 200);
    const answer = logins[logins.length - 1]?.answer ?? '';
    const field = (name: string) => new RegExp(`"?${name}"?\\s*[:>]\\s*"?([A-Za-z0-9_-]+)`).exec(answer)?.[1] ?? '';
    return { accessToken: field('access_token'), refreshToken: field('refresh_token') };
  }

  async function expectRejected(
    client: Client,
    path: string,
    handle: string | undefined,
    errorCode: string,
  ): Promise<ErrorBody> {
    const reply = await client.get(path, handle);
    expect(reply.status).toBe(401);
    const body = reply.json<ErrorBody>();
    expect(body).toMatchObject({ statusCode: 401, errorCode });
    return body;
  }

  describe('V2 login (the default)', () => {
    it('answers an opaque 256-bit handle and who logged in, and nothing else', async () => {
      const reply = await v2.client.login(alice.username, alice.password);
      expect(reply.status).toBe(200);
      const body = reply.json<LoginBody>();
      expect(Object.keys(body).sort()).toEqual(['customer', 'expiresAt', 'sessionToken']);
      expect(body.sessionToken).toMatch(SESSION_HANDLE);
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
      expect(body.customer).toMatchObject({ fiId: '00042', loginId: 'alice' });
      handles.push(body.sessionToken ?? '');
    });

    it('reads /me and the customer own accounts with the token its login obtained', async () => {
      const handle = await open(v2, alice);
      const issued = issuedAtLogin('/oauth2/v1/token');

      const me = await v2.client.get('/me', handle);
      expect(me.status).toBe(200);
      // One FI from the single-FI variables: the module names it 'default'.
      expect(me.json()).toEqual({
        institution: 'default',
        fiCustomerId: null,
        fiId: '00042',
        memberNumber: null,
        loginId: 'alice',
      });

      const accounts = await v2.client.get('/accounts', handle);
      expect(accounts.status).toBe(200);
      expect(accounts.json<AccountsBody>().service).toBe('v2');
      expect(idsIn(accounts.json<AccountsBody>())).toEqual(accountIds(alice));
      expect(lastCall()).toMatchObject({
        service: 'v2',
        status: 200,
        accessToken: issued.accessToken,
        tokenGrant: 'password',
        tokenFiCustomerId: alice.fiCustomerId,
        returnedFiCustomerId: alice.fiCustomerId,
      });
    });

    it('logout revokes the tokens at Candescent, and the handle then gets 401 SESSION_REVOKED', async () => {
      const handle = await open(v2, bob);
      const issued = issuedAtLogin('/oauth2/v1/token');
      expect((await v2.client.get('/accounts', handle)).status).toBe(200);
      const revokesBefore = sandbox.counters().v2Revoke;
      const callsBefore = sandbox.accountsCalls().length;

      const logout = await v2.client.call('/auth/logout', {
        method: 'POST',
        headers: { authorization: `Bearer ${handle}` },
      });
      expect(logout.status).toBe(204);
      expect(logout.text).toBe('');
      expect(sandbox.counters().v2Revoke).toBe(revokesBefore + 1);
      // Revoking the refresh token ends the whole login chain, the access token included.
      expect(sandbox.isAccessTokenValid(issued.accessToken)).toBe(false);

      const revoked = await expectRejected(v2.client, '/accounts', handle, 'SESSION_REVOKED');
      expect(revoked.message).toMatch(/log in again/i);
      await expectRejected(v2.client, '/me', handle, 'SESSION_REVOKED');
      const again = await v2.client.call('/auth/logout', {
        method: 'POST',
        headers: { authorization: `Bearer ${handle}` },
      });
      expect(again.status).toBe(401);
      expect(again.json<ErrorBody>().errorCode).toBe('SESSION_REVOKED');
      expect(sandbox.accountsCalls()).toHaveLength(callsBefore);
    });

    it('refuses a missing handle with SESSION_MISSING', async () => {
      const body = await expectRejected(v2.client, '/accounts', undefined, 'SESSION_MISSING');
      expect(body.message).toMatch(/log in/i);
      await expectRejected(v2.client, '/me', undefined, 'SESSION_MISSING');
    });

    it('answers malformed and well-formed-but-unknown handles identically (SESSION_INVALID)', async () => {
      const real = await open(v2, carol);
      const tampered = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
      const unknown = `cds_${randomBytes(32).toString('base64url')}`;
      const callsBefore = sandbox.accountsCalls().length;
      const headerValues = [
        'Bearer garbage',
        'Bearer cds_short',
        `Bearer ${'x'.repeat(600)}`,
        `Basic ${Buffer.from('alice:pw').toString('base64')}`,
        'Bearer',
        `Bearer ${unknown}`,
        `Bearer ${tampered}`,
      ];
      const bodies: ErrorBody[] = [];
      for (const authorization of headerValues) {
        const reply = await v2.client.call('/accounts', { headers: { authorization } });
        expect({ authorization, status: reply.status }).toEqual({ authorization, status: 401 });
        bodies.push(reply.json<ErrorBody>());
      }
      // Whether a handle ever existed must not be readable from the answer.
      const withoutTrace = bodies.map(({ traceId: _traceId, ...rest }) => rest);
      for (const body of withoutTrace) expect(body).toEqual(withoutTrace[0]);
      expect(withoutTrace[0]).toMatchObject({ errorCode: 'SESSION_INVALID', statusCode: 401 });
      expect(sandbox.accountsCalls()).toHaveLength(callsBefore);
      // The real handle is untouched by the probing.
      expect((await v2.client.get('/me', real)).status).toBe(200);
    });
  });

  describe('V1 login (CANDESCENT_LOGIN_SERVICE=v1)', () => {
    it('gives /me the customer GUID and member number, leading zeros kept', async () => {
      const handle = await open(v1, bob);
      const me = await v1.client.get('/me', handle);
      expect(me.status).toBe(200);
      expect(me.json()).toEqual({
        institution: 'default',
        fiCustomerId: bob.fiCustomerId,
        fiId: '00042',
        memberNumber: '000482913',
        loginId: 'bob',
      });
    });

    it('reads the customer own accounts through the V1 path with the V1 token', async () => {
      const handle = await open(v1, bob);
      const issued = issuedAtLogin('/v1/oauth/token');
      for (const path of ['/accounts?service=v1', '/accounts']) {
        const reply = await v1.client.get(path, handle);
        expect(reply.status).toBe(200);
        expect(reply.json<AccountsBody>().service).toBe('v1');
        expect(idsIn(reply.json<AccountsBody>())).toEqual(accountIds(bob));
        expect(lastCall()).toMatchObject({
          service: 'v1',
          status: 200,
          accessToken: issued.accessToken,
          requestedFiCustomerId: bob.fiCustomerId,
          tokenFiCustomerId: bob.fiCustomerId,
        });
      }
      const request = sandbox
        .requests()
        .filter((r) => r.route === 'v1-accounts')
        .pop();
      expect(request?.headers.di_tid).toMatch(CANONICAL_UUID);
      expect(request?.headers.transactionid).toBeUndefined();
    });

    it('refuses ?service=v2 when only V1 is configured, with a 400 that says why', async () => {
      const handle = await open(v1, bob);
      const reply = await v1.client.get('/accounts?service=v2', handle);
      expect(reply.status).toBe(400);
      expect(JSON.stringify(reply.json<ErrorBody>().message)).toMatch(
        /does not offer the v2 accounts service; use \?service=v1/,
      );
    });
  });

  describe('both services (CANDESCENT_LOGIN_SERVICE=both)', () => {
    it('logs in on both services at once and serves each path with its own token', async () => {
      const before = sandbox.counters();
      const handle = await open(both, carol);
      const after = sandbox.counters();
      expect(after.v1Token - before.v1Token).toBe(1);
      expect(after.v2Token - before.v2Token).toBe(1);

      const me = await both.client.get('/me', handle);
      expect(me.json()).toMatchObject({
        fiCustomerId: carol.fiCustomerId,
        memberNumber: carol.memberNumber,
        loginId: 'carol',
      });

      const v1Issued = issuedAtLogin('/v1/oauth/token');
      const v2Issued = issuedAtLogin('/oauth2/v1/token');
      expect(v1Issued.accessToken).not.toBe(v2Issued.accessToken);
      for (const [service, token] of [
        ['v1', v1Issued.accessToken],
        ['v2', v2Issued.accessToken],
      ] as const) {
        const reply = await both.client.get(`/accounts?service=${service}`, handle);
        expect(reply.status).toBe(200);
        expect(reply.json<AccountsBody>().service).toBe(service);
        expect(idsIn(reply.json<AccountsBody>())).toEqual(accountIds(carol));
        expect(lastCall()).toMatchObject({
          service,
          status: 200,
          accessToken: token,
          tokenFiCustomerId: carol.fiCustomerId,
        });
      }
    });
  });

  describe('with short-lived Candescent tokens', () => {
    beforeAll(() => {
      sandbox.configure({ accessTokenTtlSeconds: SHORT_TTL_SECONDS });
    });

    afterAll(() => {
      sandbox.configure({ accessTokenTtlSeconds: 1799 });
    });

    it('renews a V2 session through the refresh grant mid-session without the customer noticing', async () => {
      const handle = await open(v2, carol);
      const issued = issuedAtLogin('/oauth2/v1/token');
      expect((await v2.client.get('/accounts', handle)).status).toBe(200);
      const refreshesBefore = entry(sandbox.counters().byGrant, 'refresh_token') ?? 0;

      // Past the renewal point of a 2 s token (the last fifth of its life), before the session idles out.
      await sleep(SHORT_TTL_SECONDS * 1000 - 300);
      const reply = await v2.client.get('/accounts', handle);
      expect(reply.status).toBe(200);
      expect(idsIn(reply.json<AccountsBody>())).toEqual(accountIds(carol));
      // That call still went out with the working token; the renewal it started ran alongside.
      expect(lastCall().accessToken).toBe(issued.accessToken);
      // Calls go on, and once the renewal is stored they carry the renewed token.
      await waitFor(
        async () =>
          (await v2.client.get('/accounts', handle)).status === 200 && lastCall().tokenGrant === 'refresh_token',
        5_000,
        'a call with the renewed token',
      );
      expect(sandbox.counters().byGrant.refresh_token).toBe(refreshesBefore + 1);
      const call = lastCall();
      expect(call).toMatchObject({ status: 200, tokenGrant: 'refresh_token', tokenFiCustomerId: carol.fiCustomerId });
      expect(call.accessToken).not.toBe(issued.accessToken);

      // The refresh used this session's refresh token, which the rotation has now killed.
      const refresh = sandbox
        .requests()
        .filter((r) => r.route === 'v2-token' && r.form.grant_type === 'refresh_token')
        .pop();
      expect(refresh?.form.refresh_token).toBe(issued.refreshToken);
      const replayed = await fetch(`${sandbox.url}/oauth2/v1/token`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(sandbox.credentials.consumerKey, sandbox.credentials.consumerSecret),
          transactionId: randomUUID(),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: issued.refreshToken }).toString(),
      });
      expect(replayed.status).toBe(400);

      // The renewed session goes on without another refresh (the replay above counted as one request).
      const refreshesAfter = sandbox.counters().byGrant.refresh_token;
      expect((await v2.client.get('/me', handle)).status).toBe(200);
      expect((await v2.client.get('/accounts', handle)).status).toBe(200);
      expect(sandbox.counters().byGrant.refresh_token).toBe(refreshesAfter);
    });

    it('lets concurrent requests at renewal time share one refresh (a rotating refresh token is sent once)', async () => {
      const handle = await open(v2, alice);
      const refreshesBefore = entry(sandbox.counters().byGrant, 'refresh_token') ?? 0;
      await sleep(SHORT_TTL_SECONDS * 1000 - 300);
      const replies = await Promise.all(Array.from({ length: 12 }, () => v2.client.get('/accounts', handle)));
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
      for (const reply of replies) expect(idsIn(reply.json<AccountsBody>())).toEqual(accountIds(alice));
      await waitFor(() => sandbox.counters().byGrant.refresh_token === refreshesBefore + 1, 5_000, 'the renewal');
      await sleep(200);
      expect(sandbox.counters().byGrant.refresh_token).toBe(refreshesBefore + 1);
    });

    it('ends a V1-only session with SESSION_EXPIRED once its V1 token has expired (V1 has no refresh)', async () => {
      const handle = await open(v1, bob);
      expect((await v1.client.get('/accounts', handle)).status).toBe(200);
      const before = sandbox.counters();
      const callsBefore = sandbox.accountsCalls().length;

      await sleep(SHORT_TTL_SECONDS * 1000 + 50);
      const expired = await expectRejected(v1.client, '/accounts', handle, 'SESSION_EXPIRED');
      expect(expired.message).toMatch(/expired/i);
      // Still "expired" later, not "invalid": the end of the session is remembered.
      await expectRejected(v1.client, '/me', handle, 'SESSION_EXPIRED');
      const after = sandbox.counters();
      expect(entry(after.byGrant, 'refresh_token')).toBe(entry(before.byGrant, 'refresh_token'));
      expect(after.tokenRequests).toBe(before.tokenRequests);
      // The expired token was never sent.
      expect(sandbox.accountsCalls()).toHaveLength(callsBefore);
    });
  });

  describe('secrets stay on their side', () => {
    it('no session handle ever reached Candescent', () => {
      expect(handles.length).toBeGreaterThan(5);
      const upstreamTraffic = JSON.stringify(upstream.seen.map(({ answer: _answer, ...request }) => request));
      const sandboxTraffic = JSON.stringify(sandbox.requests());
      for (const handle of handles) {
        expect(upstreamTraffic).not.toContain(handle);
        expect(sandboxTraffic).not.toContain(handle);
      }
      // Nor does any hash-free fragment of one: the whole "cds_" family is absent.
      expect(sandboxTraffic).not.toMatch(/cds_[A-Za-z0-9_-]{20,}/);
    });

    it('no Candescent token ever reached a client of the app', () => {
      const tokens = tokensIn(upstream);
      // Every login and refresh handed out at least an access token.
      expect(tokens.length).toBeGreaterThanOrEqual(handles.length);
      const transcript = [v2, v1, both].flatMap((app) => app.client.transcript).join('\n');
      expect(transcript.length).toBeGreaterThan(1000);
      for (const token of tokens) expect(transcript).not.toContain(token);
      expect(transcript).not.toMatch(/access_token|refresh_token/);
    });
  });
});
