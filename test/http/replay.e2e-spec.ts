import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthError,
  CandescentContext,
  CandescentForbiddenError,
  CandescentHttpService,
  CandescentProtocolError,
  type CandescentRequestContext,
  CandescentSessionService,
  CandescentTokenService,
  CandescentUnavailableError,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS, type RecordedRequest } from '@candescent/sandbox';
import { type AccountView, sendJson, StandIn } from '../support/app-testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { CANONICAL_UUID, startSandbox } from '../support/sandbox';
import { sleep } from '../support/wait';

/**
 * The 401 rules of the outgoing interceptor, through the module's own CandescentHttpService over real
 * HTTP: a refused token is dropped and the request replayed once with a new one, but only when a
 * replay cannot repeat a side effect (idempotent method or Idempotency-Key), and never twice.
 *
 * The module's Candescent origin is a stand-in: it answers a scripted POST /payments itself and
 * forwards everything else (token requests, the accounts endpoint) to the sandbox, which only
 * emulates GET banking calls.
 */

const alice = DEMO_CUSTOMERS[0];
const PAYMENTS = '/payments';
const ACCOUNTS = '/db-accounts/v1/accounts';

interface Accounts {
  accounts: AccountView[];
}

describe('401 replay through CandescentHttpService', () => {
  let sandbox: CandescentSandbox;
  let upstream: StandIn;
  let module: OpenedModule;
  let http: CandescentHttpService;
  let tokens: CandescentTokenService;
  let sessions: CandescentSessionService;
  /** Statuses the stand-in answers POST/PUT/DELETE /payments with, in order; 200 once empty. */
  let paymentStatuses: number[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    upstream = await StandIn.start((request, res) => {
      if (request.path !== PAYMENTS) return false;
      const status = paymentStatuses.shift() ?? 200;
      return status === 200
        ? sendJson(res, 200, { accepted: true })
        : sendJson(res, status, { code: 'CMN_90004', message: 'Invalid credentials' });
    }, sandbox.url);
    // Each case stands alone: the refusal cooldown (one case below) would otherwise carry over.
    module = await createTokenModule(sandbox, { baseUrl: upstream.url, tokenRefusalCooldownMs: 0 });
    http = module.moduleRef.get(CandescentHttpService);
    tokens = module.moduleRef.get(CandescentTokenService);
    sessions = module.moduleRef.get(CandescentSessionService);
  });

  afterAll(async () => {
    await module.close();
    await upstream.close();
    await sandbox.stop();
  });

  beforeEach(async () => {
    sandbox.clearFaults();
    paymentStatuses = [];
    // Start every case with a cached institution token, so a token request means "replaced".
    await tokens.getInstitutionToken();
    sandbox.resetCounters();
    upstream.seen.splice(0);
  });

  const institutionAccounts = (): Promise<AxiosResponse<Accounts>> =>
    firstValueFrom(http.get<Accounts>(ACCOUNTS, { params: { loginId: alice.username } }));
  const pay = (method: 'post' | 'put' | 'delete', config: AxiosRequestConfig = {}): Promise<AxiosResponse<unknown>> =>
    firstValueFrom(http.request({ ...config, method, url: PAYMENTS, data: { amount: '12.34', to: 'acct-1' } }));
  const accountsRequests = (): RecordedRequest[] =>
    sandbox.requests().filter((request) => request.route === 'v2-accounts');

  /** A guarded request's context, built the way the guard builds it. */
  async function customerContext(): Promise<CandescentRequestContext> {
    const login = await sessions.login({ username: alice.username, password: alice.password });
    const authenticated = await sessions.authenticate(login.sessionToken);
    return {
      traceId: randomUUID(),
      session: {
        id: authenticated.id,
        tokens: authenticated.session.tokens,
        renew: (rejected) => sessions.renew(authenticated.id, rejected),
      },
    };
  }

  function expectNoTokenIn(error: unknown): void {
    const text = `${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`;
    for (const request of [...sandbox.requests(), ...upstream.seen.map((seen) => ({ headers: seen.headers }))]) {
      const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1];
      if (bearer) expect(text).not.toContain(bearer);
    }
  }

  describe('institution token', () => {
    it('replays a refused GET once, with a new token and a fresh trace id', async () => {
      sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });
      const response = await institutionAccounts();
      expect(response.status).toBe(200);
      expect(response.data.accounts.map((a) => a.id).sort()).toEqual(alice.accounts.map((a) => a.id).sort());

      const [refused, replayed] = accountsRequests();
      expect(accountsRequests()).toHaveLength(2);
      expect(refused.status).toBe(401);
      expect(replayed.status).toBe(200);
      expect(replayed.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(replayed.headers.authorization).not.toBe(refused.headers.authorization);
      expect(replayed.headers.transactionid).toMatch(CANONICAL_UUID);
      expect(replayed.headers.transactionid).not.toBe(refused.headers.transactionid);
      expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
    });

    it('stops after one replay when every attempt is refused: exactly 2 calls, then a typed error', async () => {
      sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: Infinity });
      const error = await thrownBy(institutionAccounts);
      expect(error).toBeInstanceOf(CandescentProtocolError);
      expect(error).toMatchObject({ status: 502, upstreamStatus: 401, errorCode: 'TOKEN_REFUSED_AFTER_RENEWAL' });
      // Give a runaway loop the time to show itself.
      await sleep(150);
      expect(accountsRequests()).toHaveLength(2);
      expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
      expectNoTokenIn(error);
    });

    it('a call refused with every token costs one replacement per cooldown, not one per call', async () => {
      const strict = await createTokenModule(sandbox, { baseUrl: upstream.url });
      try {
        const strictHttp = strict.moduleRef.get(CandescentHttpService);
        await strict.tokens.getInstitutionToken();
        sandbox.resetCounters();
        sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: Infinity });
        for (let i = 0; i < 5; i += 1) {
          const error = await thrownBy(() =>
            firstValueFrom(strictHttp.get(ACCOUNTS, { params: { loginId: alice.username } })),
          );
          expect(error).toBeInstanceOf(CandescentProtocolError);
        }
        // The first refusal replaces the token and replays; the replacement, refused before it
        // ever worked, is kept: later calls fail at once instead of fetching a token each.
        expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
        expect(accountsRequests()).toHaveLength(6);
      } finally {
        await strict.close();
      }
    });

    it('does not replay a POST without Idempotency-Key, and drops the refused token all the same', async () => {
      paymentStatuses = [401];
      const error = await thrownBy(() => pay('post'));
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      expect(error).toMatchObject({ status: 503, upstreamStatus: 401, errorCode: 'TOKEN_REFUSED_NOT_REPLAYED' });
      await sleep(50);
      expect(upstream.to(PAYMENTS)).toHaveLength(1);
      expect(sandbox.counters().tokenRequests).toBe(0);
      expectNoTokenIn(error);

      // The next call does not reuse the token Candescent refused.
      await institutionAccounts();
      expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
      expect(accountsRequests()[0]?.headers.authorization).not.toBe(upstream.to(PAYMENTS)[0]?.headers.authorization);
    });

    it('replays a POST that carries an Idempotency-Key once, with the same key and body', async () => {
      paymentStatuses = [401];
      const key = randomUUID();
      const response = await pay('post', { headers: { 'Idempotency-Key': key } });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ accepted: true });

      const [refused, replayed] = upstream.to(PAYMENTS);
      expect(upstream.to(PAYMENTS)).toHaveLength(2);
      expect(replayed.headers['idempotency-key']).toBe(key);
      expect(refused.headers['idempotency-key']).toBe(key);
      expect(replayed.body).toBe(refused.body);
      expect(JSON.parse(replayed.body)).toEqual({ amount: '12.34', to: 'acct-1' });
      expect(replayed.headers.authorization).not.toBe(refused.headers.authorization);
      expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
    });

    it('gives up after one replay of a keyed POST that keeps being refused', async () => {
      paymentStatuses = [401, 401, 401, 401];
      const error = await thrownBy(() => pay('post', { headers: { 'idempotency-key': randomUUID() } }));
      expect(error).toBeInstanceOf(CandescentAuthError);
      await sleep(150);
      expect(upstream.to(PAYMENTS)).toHaveLength(2);
    });

    it.each(['put', 'delete'] as const)('replays an idempotent %s once', async (method) => {
      paymentStatuses = [401];
      const response = await pay(method);
      expect(response.status).toBe(200);
      expect(upstream.to(PAYMENTS).map((request) => request.method)).toEqual([
        method.toUpperCase(),
        method.toUpperCase(),
      ]);
    });

    it('answers a burst of refusals of one token with a single new token', async () => {
      const burst = 6;
      sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: burst });
      const responses = await Promise.all(Array.from({ length: burst }, () => institutionAccounts()));
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
      expect(accountsRequests()).toHaveLength(2 * burst);
      expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
    });
  });

  describe('customer token', () => {
    it('a call refused with every renewed customer token spends one refresh per cooldown, not one per call', async () => {
      const strict = await createTokenModule(sandbox, { baseUrl: upstream.url });
      try {
        const strictSessions = strict.moduleRef.get(CandescentSessionService);
        const login = await strictSessions.login({ username: alice.username, password: alice.password });
        const authenticated = await strictSessions.authenticate(login.sessionToken);
        const context: CandescentRequestContext = {
          traceId: randomUUID(),
          session: {
            id: authenticated.id,
            tokens: authenticated.session.tokens,
            renew: (rejected) => strictSessions.renew(authenticated.id, rejected),
            accepted: (token) => {
              strictSessions.reportAccepted(authenticated.id, token);
            },
          },
        };
        sandbox.resetCounters();
        sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: Infinity });
        for (let i = 0; i < 5; i += 1) {
          const error = await thrownBy(() =>
            CandescentContext.run(context, () => firstValueFrom(strict.http.get<Accounts>(ACCOUNTS))),
          );
          expect(error).toBeInstanceOf(CandescentForbiddenError);
        }
        expect(sandbox.counters().byGrant).toEqual({ refresh_token: 1 });
        // The first call and its replay, then one refused call each.
        expect(accountsRequests()).toHaveLength(6);
      } finally {
        await strict.close();
      }
    });

    it('renews the session through the refresh grant and replays a refused GET once', async () => {
      const context = await customerContext();
      const loginToken = context.session?.tokens.v2?.accessToken;
      sandbox.resetCounters();
      sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });

      const response = await CandescentContext.run(context, () => firstValueFrom(http.get<Accounts>(ACCOUNTS)));
      expect(response.data.accounts.map((a) => a.id).sort()).toEqual(alice.accounts.map((a) => a.id).sort());
      const calls = sandbox.accountsCalls();
      expect(calls).toHaveLength(2);
      expect(calls[0]).toMatchObject({ status: 401, accessToken: loginToken, tokenFiCustomerId: alice.fiCustomerId });
      expect(calls[1]).toMatchObject({
        status: 200,
        tokenGrant: 'refresh_token',
        tokenFiCustomerId: alice.fiCustomerId,
      });
      expect(sandbox.counters().byGrant).toEqual({ refresh_token: 1 });
      // The session now holds the renewed token, so later calls do not start with a dead one.
      expect(context.session?.tokens.v2?.accessToken).toBe(calls[1].accessToken);
    });

    it('stops after one replay of a customer GET that keeps being refused: exactly 2 calls, then a typed error', async () => {
      const context = await customerContext();
      sandbox.resetCounters();
      sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: Infinity });
      const error = await thrownBy(() =>
        CandescentContext.run(context, () => firstValueFrom(http.get<Accounts>(ACCOUNTS))),
      );
      // A renewed token refused as well: the call is not allowed, and the session is not at fault.
      expect(error).toBeInstanceOf(CandescentForbiddenError);
      expect(error).toMatchObject({ status: 403, upstreamStatus: 401, errorCode: 'TOKEN_REFUSED_AFTER_RENEWAL' });
      await sleep(150);
      expect(accountsRequests()).toHaveLength(2);
      // One renewal for the first refusal; the refused replay does not spend another rotation.
      expect(sandbox.counters().byGrant).toEqual({ refresh_token: 1 });
      expectNoTokenIn(error);
    });

    it('does not replay a customer POST without Idempotency-Key and surfaces a typed error', async () => {
      const context = await customerContext();
      paymentStatuses = [401];
      const error = await thrownBy(() => CandescentContext.run(context, () => pay('post')));
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      expect(error).toMatchObject({ status: 503, errorCode: 'TOKEN_REFUSED_NOT_REPLAYED' });
      await sleep(50);
      expect(upstream.to(PAYMENTS)).toHaveLength(1);
      expectNoTokenIn(error);
    });

    it('replays a customer POST with Idempotency-Key once, with the renewed customer token', async () => {
      const context = await customerContext();
      const loginToken = context.session?.tokens.v2?.accessToken;
      paymentStatuses = [401];
      const response = await CandescentContext.run(context, () =>
        pay('post', { headers: { 'Idempotency-Key': randomUUID() } }),
      );
      expect(response.status).toBe(200);
      const [refused, replayed] = upstream.to(PAYMENTS);
      expect(upstream.to(PAYMENTS)).toHaveLength(2);
      expect(refused.headers.authorization).toBe(`Bearer ${loginToken ?? ''}`);
      expect(replayed.headers.authorization).toBe(`Bearer ${context.session?.tokens.v2?.accessToken ?? ''}`);
      expect(replayed.headers.authorization).not.toBe(refused.headers.authorization);
    });
  });
});
