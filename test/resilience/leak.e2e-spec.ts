import { inspect } from 'node:util';
import { BaseExceptionFilter, ModulesContainer } from '@nestjs/core';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import { SandboxTokenStore, type IssuedTokens } from '../../libs/candescent-sandbox/src/sandbox-token-store';
import { createSampleApp, type SampleApp } from '../../apps/sample/src/create-sample-app';
import {
  CandescentAuthModule,
  CandescentBadGatewayError,
  CandescentErrorFilter,
  CandescentHttpService,
  CandescentSessionService,
  CandescentTokenService,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { LogCapture, renderings } from '../support/logs';
import {
  findLeaks,
  type Haystack,
  ProcessErrorRecorder,
  safeStringify,
  type Secret,
  StdioCapture,
} from '../support/resilience-testing';
import { sleep, waitFor } from '../support/wait';

/**
 * The whole sample-app flow (institution calls, logins of several customers, /me, /accounts on
 * both services, a refresh mid-session, token rejections, faults, failed logins, logout), with
 * every log line, everything written to stdout/stderr, every response and every error kept.
 * Then every secret of the run is looked for by value: the consumer secret, each password
 * used, each access and refresh token the sandbox issued, and each session handle.
 */

const [alice, bob, carol] = [DEMO_CUSTOMERS[0], DEMO_CUSTOMERS[1], DEMO_CUSTOMERS[2]];
const WRONG_PASSWORD = 'Wrong-Pa55word!#2030';
// Urlencoding and JSON escaping change it, so a leak in any layer would show up differently.
const DAVE = { username: 'dave', password: 'Dave p@ss&word="2030"+%' };
const CONTROL_PASSWORD = 'Sandbox-Alice-2026!\r\nX-Injected: 1';
const OBJECT_PASSWORD_MARKER = 'Object-Pa55word-Marker-77';

interface Reply {
  status: number;
  text: string;
  json(): unknown;
}

describe('no secret leaks from the sample app, whatever happens', () => {
  const recorder = new ProcessErrorRecorder();
  const logger = new LogCapture();
  const stdio = new StdioCapture();
  const replies: Haystack[] = [];
  const errors: Array<{ where: string; error: unknown }> = [];
  const handles: string[] = [];
  const passwords = new Set<string>([
    alice.password,
    bob.password,
    carol.password,
    DAVE.password,
    WRONG_PASSWORD,
    CONTROL_PASSWORD,
    OBJECT_PASSWORD_MARKER,
  ]);
  let issueSpy: jest.SpyInstance<IssuedTokens, Parameters<SandboxTokenStore['issue']>>;
  let sample: SampleApp;
  let sandbox: CandescentSandbox;
  let baseUrl: string;

  beforeAll(async () => {
    recorder.install();
    // Every token the sandbox mints passes through here: the exact values to look for later.
    issueSpy = jest.spyOn(SandboxTokenStore.prototype, 'issue');
    // The app's start-up lines go to Nest's console logger before useLogger: catch them too.
    stdio.start();
    sample = await createSampleApp({
      CANDESCENT_LOGIN_SERVICE: 'both',
      LOGIN_RATE_LIMIT: '1000',
      LOGIN_USERNAME_RATE_LIMIT: '1000',
    });
    sandbox = sample.sandbox!;
    sample.app.useLogger(logger);
    // Errors on their way to the client: module errors and anything Nest handles itself.
    jest.spyOn(CandescentErrorFilter.prototype, 'catch');
    jest.spyOn(BaseExceptionFilter.prototype, 'catch');
    sandbox.addCustomer(DAVE);
    await sample.app.listen(0, '127.0.0.1');
    baseUrl = await sample.app.getUrl();
  });

  afterAll(async () => {
    await sample.close();
    stdio.stop();
    jest.restoreAllMocks();
    recorder.uninstall();
  });

  /** One request to the app; the reply (headers and body) is kept for the final search. */
  async function call(label: string, path: string, init: RequestInit & { handle?: string } = {}): Promise<Reply> {
    const { handle, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (handle !== undefined) headers.set('authorization', `Bearer ${handle}`);
    const response = await fetch(`${baseUrl}${path}`, { ...rest, headers });
    const text = await response.text();
    const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    let kept = `${response.status}\n${headerText}\n${text}`;
    if (path === '/auth/login' && response.status === 200) {
      // The one place a handle may appear: the login answer's own sessionToken.
      const own = (JSON.parse(text) as { sessionToken?: string }).sessionToken;
      if (own) {
        handles.push(own);
        kept = kept.split(own).join('<own session token>');
      }
    }
    replies.push({ where: `reply to ${label}`, text: kept });
    return { status: response.status, text, json: () => JSON.parse(text) as unknown };
  }

  const login = (label: string, body: unknown) =>
    call(label, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function sessionFor(customer: { username: string; password: string }): Promise<string> {
    const reply = await login(`login ${customer.username}`, {
      username: customer.username,
      password: customer.password,
    });
    expect(reply.status).toBe(200);
    return handles[handles.length - 1];
  }

  const waitUntilLogged = (pattern: RegExp): Promise<void> =>
    waitFor(() => logger.texts().some((text) => pattern.test(text)), 5_000, `a log line matching ${String(pattern)}`);

  /** Runs a direct call into the app's providers and keeps what it threw. */
  async function keepError(where: string, run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (error: unknown) {
      errors.push({ where, error });
      return error;
    }
    throw new Error(`${where}: expected a failure`);
  }

  it('serves the institution routes', async () => {
    expect((await call('health', '/health')).status).toBe(200);
    expect(((await call('institution status', '/institution/status')).json() as { held: boolean }).held).toBe(true);
    expect((await call('institution accounts', `/institution/accounts?loginId=${alice.username}`)).status).toBe(200);
    // The second FI of the embedded sandbox, with its own consumer key and secret.
    expect((await call('second FI status', '/institution/status?institution=cu-harbor')).status).toBe(200);
    expect(
      (await call('second FI accounts', `/institution/accounts?loginId=${alice.username}&institution=cu-harbor`))
        .status,
    ).toBe(200);
  });

  it('logs a customer in at the second FI', async () => {
    const reply = await login('login at cu-harbor', {
      username: alice.username,
      password: alice.password,
      institution: 'cu-harbor',
    });
    expect(reply.status).toBe(200);
    const handle = handles[handles.length - 1];
    expect((await call('me at cu-harbor', '/me', { handle })).json()).toMatchObject({ institution: 'cu-harbor' });
    expect((await call('accounts at cu-harbor', '/accounts', { handle })).status).toBe(200);
  });

  let aliceHandle: string;
  let bobHandle: string;
  let carolHandle: string;

  it('logs three customers in and serves /me and /accounts on both services', async () => {
    aliceHandle = await sessionFor(alice);
    bobHandle = await sessionFor(bob);
    carolHandle = await sessionFor(carol);
    for (const handle of [aliceHandle, bobHandle, carolHandle]) {
      expect((await call('me', '/me', { handle })).status).toBe(200);
      expect((await call('accounts v2', '/accounts', { handle })).status).toBe(200);
      expect((await call('accounts v1', '/accounts?service=v1', { handle })).status).toBe(200);
    }
  });

  it('refuses failed and malformed logins without repeating what was sent', async () => {
    expect((await login('wrong password', { username: alice.username, password: WRONG_PASSWORD })).status).toBe(401);
    expect((await login('unknown user', { username: 'mallory', password: WRONG_PASSWORD })).status).toBe(401);
    expect((await login('control characters', { username: alice.username, password: CONTROL_PASSWORD })).status).toBe(
      400,
    );
    expect(
      (await login('extra field', { username: alice.username, password: WRONG_PASSWORD, admin: true })).status,
    ).toBe(400);
    expect((await login('number password', { username: alice.username, password: 12345678 })).status).toBe(400);
    expect((await login('empty password', { username: alice.username, password: '' })).status).toBe(400);
    // A JSON body can carry objects where strings belong; whatever the answer, nothing may leak.
    const objectPassword = await login('object password', {
      username: alice.username,
      password: { constructor: { name: OBJECT_PASSWORD_MARKER } },
    });
    expect(objectPassword.status).toBeGreaterThanOrEqual(400);
  });

  it('survives token-service faults during login', async () => {
    sandbox.injectFault({ route: 'v2-token', kind: 'reset' });
    expect((await login('login after a reset', { username: bob.username, password: bob.password })).status).toBe(200);
    // A password grant spends nothing, so an answer that broke in transit is asked for again.
    sandbox.injectFault({ route: 'v2-token', kind: 'malformed' });
    expect(
      (await login('login, one malformed V2 answer', { username: carol.username, password: carol.password })).status,
    ).toBe(200);
    sandbox.injectFault({ route: 'v2-token', kind: 'malformed', times: 3 });
    expect(
      (await login('login, malformed V2 answers', { username: carol.username, password: carol.password })).status,
    ).toBe(502);
    sandbox.injectFault({ route: 'v1-token', kind: 'malformed', times: 3 });
    expect(
      (await login('login, malformed V1 answers', { username: carol.username, password: carol.password })).status,
    ).toBe(502);
    sandbox.injectFault({ route: 'v2-token', kind: 'reset-mid-body', times: 3 });
    expect((await login('login, resets mid-body', { username: carol.username, password: carol.password })).status).toBe(
      503,
    );
  });

  it('answers banking faults and token rejections', async () => {
    sandbox.injectFault({
      route: 'v2-accounts',
      kind: 'raw',
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'CMN_90000', message: 'internal server error' }),
    });
    expect((await call('accounts, upstream 500', '/accounts', { handle: aliceHandle })).status).toBe(502);
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reset-mid-body' });
    expect((await call('accounts, reset mid-body', '/accounts', { handle: aliceHandle })).status).toBe(503);
    // A refused customer token is renewed (refresh grant) and the call replayed.
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token' });
    expect((await call('accounts, token rejected', '/accounts', { handle: bobHandle })).status).toBe(200);
    // A refused institution token is dropped and a new one fetched.
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token' });
    expect(
      (await call('institution accounts, token rejected', `/institution/accounts?loginId=${bob.username}`)).status,
    ).toBe(200);
  });

  it('refreshes a short-lived session mid-flight, and logs a failed background renewal', async () => {
    sandbox.configure({ accessTokenTtlSeconds: 5 });
    try {
      const handle = await sessionFor(DAVE);
      // A fresh 5 s institution token, so its refresh-ahead window comes up during this test.
      const tokens = sample.app.get(CandescentTokenService);
      tokens.invalidate((await tokens.getInstitutionToken()).accessToken);
      expect((await call('institution status, short token', '/institution/status')).status).toBe(200);
      // 5 s tokens are renewed from 4 s on; V1 tokens cannot be renewed and lapse at 4.75 s.
      await sleep(4_100);
      expect((await call('me after refresh window', '/me', { handle })).status).toBe(200);
      expect((await call('accounts after refresh', '/accounts', { handle })).status).toBe(200);
      // The institution token is served from the cache while its renewal fails in the background.
      sandbox.injectFault({ route: 'v2-token', kind: 'unavailable', times: 3 });
      expect((await call('institution status, renewal failing', '/institution/status')).status).toBe(200);
      await waitUntilLogged(/institution token failed/);
      await sleep(900);
      expect((await call('v1 accounts after V1 expiry', '/accounts?service=v1', { handle })).status).toBe(401);
      expect((await call('v2 accounts after V1 expiry', '/accounts', { handle })).status).toBe(200);
    } finally {
      sandbox.configure({ accessTokenTtlSeconds: 1_799 });
    }
    expect(sandbox.counters().byGrant.refresh_token).toBeGreaterThanOrEqual(2);
    // Real token lifetimes: the default 5 s test timeout is too short for a 5 s token.
  }, 20_000);

  it('logs out, then refuses the ended and made-up sessions', async () => {
    expect((await call('logout alice', '/auth/logout', { method: 'POST', handle: aliceHandle })).status).toBe(204);
    expect((await call('me after logout', '/me', { handle: aliceHandle })).status).toBe(401);
    // Revocation failing on every attempt: logout still succeeds locally and says so in the log.
    sandbox.injectFault({
      route: 'v2-revoke',
      kind: 'raw',
      status: 500,
      contentType: 'application/json',
      body: '{"code":"CMN_90000","message":"internal server error"}',
      times: 3,
    });
    expect(
      (await call('logout carol, revoke fails', '/auth/logout', { method: 'POST', handle: carolHandle })).status,
    ).toBe(204);
    await waitUntilLogged(/Revoking the customer tokens at logout failed/);
    expect((await call('made-up handle', '/me', { handle: `cds_${'A'.repeat(43)}` })).status).toBe(401);
    // A client that sends a Candescent access token where the session handle belongs.
    const someAccessToken = issueSpy.mock.results.find((r) => r.type === 'return')!.value.accessToken;
    expect((await call('access token as handle', '/me', { handle: someAccessToken })).status).toBe(401);
  });

  it('keeps errors of direct calls into the app free of secrets too', async () => {
    const tokens = sample.app.get(CandescentTokenService);
    const http = sample.app.get(CandescentHttpService);
    const sessions = sample.app.get(CandescentSessionService);

    await keepError('login with a wrong password', () =>
      tokens.login({ username: bob.username, password: WRONG_PASSWORD }),
    );
    await keepError('unknown session handle', () => sessions.authenticate(`cds_${'B'.repeat(43)}`));
    // The same 500 twice: once as the module's error, once as the raw axios error asked for.
    sandbox.injectFault({
      route: 'v2-accounts',
      kind: 'raw',
      status: 500,
      contentType: 'application/json',
      body: '{"code":"CMN_90000","message":"internal server error"}',
      times: 2,
    });
    const typedError = await keepError('banking call answered 500', () =>
      firstValueFrom(http.get('/db-accounts/v1/accounts', { params: { loginId: alice.username } })),
    );
    expect(typedError).toBeInstanceOf(CandescentBadGatewayError);
    const axiosError = await keepError('banking call answered 500, raw error asked for', () =>
      firstValueFrom(
        http.get('/db-accounts/v1/accounts', { params: { loginId: alice.username }, candescentRawErrors: true }),
      ),
    );
    expect(isAxiosError(axiosError)).toBe(true);
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reset' });
    const resetError = await keepError('banking call reset', () =>
      firstValueFrom(
        http.get('/db-accounts/v1/accounts', { params: { loginId: alice.username }, candescentRawErrors: true }),
      ),
    );
    expect(isAxiosError(resetError)).toBe(true);
    sandbox.injectFault({ route: 'v2-token', kind: 'gateway-fault' });
    tokens.invalidate((await tokens.getInstitutionToken()).accessToken);
    await keepError('institution token, gateway fault', () => tokens.getInstitutionToken());
  });

  it('never shows a secret in a log line, stdout/stderr, a reply or an error', async () => {
    // Let the last background work (revocations, renewals) log what it logs.
    await sleep(100);
    const issued = issueSpy.mock.results.flatMap((r) => (r.type === 'return' ? [r.value] : []));
    const accessTokens = new Set(issued.map((t) => t.accessToken));
    const refreshTokens = new Set(issued.flatMap((t) => (t.refreshToken ? [t.refreshToken] : [])));

    // The recording is complete: every token the sandbox saw in use is one it issued.
    const requests = sandbox.requests();
    const bearers = requests.flatMap((r) => {
      // Recorded headers are only those sent, whatever the record type says.
      const authorization = r.headers.authorization as string | undefined;
      return /^Bearer (\S+)$/.exec(authorization ?? '')?.slice(1) ?? [];
    });
    expect(bearers.length).toBeGreaterThan(10);
    for (const bearer of bearers) expect(accessTokens.has(bearer)).toBe(true);
    for (const r of requests.filter((q) => q.form.refresh_token))
      expect(refreshTokens.has(r.form.refresh_token)).toBe(true);
    for (const r of requests.filter((q) => q.route === 'v2-revoke' && q.form.token))
      expect(refreshTokens.has(r.form.token) || accessTokens.has(r.form.token)).toBe(true);
    expect(refreshTokens.size).toBeGreaterThan(5);
    expect(handles.length).toBeGreaterThanOrEqual(5);

    // The sample serves every FI of its embedded sandbox: each one's consumer secret stays in.
    expect(sandbox.institutions.length).toBeGreaterThan(1);
    const secrets: Secret[] = [
      ...sandbox.institutions.flatMap(({ fiId, consumerKey, consumerSecret }) => [
        { label: `consumer secret of FI ${fiId}`, value: consumerSecret },
        {
          label: `Basic credentials of FI ${fiId}`,
          value: Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64'),
        },
      ]),
      ...[...passwords].flatMap((password, i) => [
        { label: `password #${i}`, value: password },
        { label: `password #${i} (urlencoded)`, value: new URLSearchParams({ p: password }).toString().slice(2) },
        { label: `password #${i} (JSON)`, value: JSON.stringify(password).slice(1, -1) },
      ]),
      ...[...accessTokens].map((value, i) => ({ label: `access token #${i}`, value })),
      ...[...refreshTokens].map((value, i) => ({ label: `refresh token #${i}`, value })),
      ...handles.map((value, i) => ({ label: `session handle #${i}`, value })),
    ];

    const filterErrors = [
      ...(CandescentErrorFilter.prototype.catch as jest.Mock).mock.calls.map((args: unknown[]) => ({
        where: 'error sent by CandescentErrorFilter',
        error: args[0],
      })),
      ...(BaseExceptionFilter.prototype.catch as jest.Mock).mock.calls.map((args: unknown[]) => ({
        where: "error handled by Nest's exception filter",
        error: args[0],
      })),
    ];
    expect(filterErrors.length).toBeGreaterThan(5);
    expect(filterErrors.some(({ error }) => error instanceof CandescentBadGatewayError)).toBe(true);

    const haystacks: Haystack[] = [
      ...injectableRenderings(),
      ...logger.texts().map((text, i) => ({ where: `log line #${i}`, text })),
      { where: 'stdout/stderr', text: stdio.chunks.join('') },
      ...replies,
      ...[...errors, ...filterErrors].flatMap(({ where, error }) =>
        renderings(error).map((text, i) => ({
          where: `${where} (${['util.inspect depth 10', 'JSON.stringify', 'message', 'stack'][i] ?? i})`,
          text,
        })),
      ),
    ];
    expect(logger.texts().length).toBeGreaterThan(10);

    expect(findLeaks(secrets, haystacks)).toEqual([]);
  });

  /**
   * Every provider of the module (services, interceptor, health indicator, stores, caches, the
   * options), printed the ways an app might print it while debugging.
   */
  function injectableRenderings(): Haystack[] {
    const modules = [...sample.app.get(ModulesContainer).values()].filter(
      (module) => module.metatype === CandescentAuthModule,
    );
    expect(modules).toHaveLength(1);
    const providers = [...modules[0].providers.values()].filter(
      (wrapper) => wrapper.instance !== null && typeof wrapper.instance === 'object',
    );
    expect(providers.length).toBeGreaterThan(10);
    return providers.flatMap((wrapper) => {
      const name = String(wrapper.name);
      const instance: unknown = wrapper.instance;
      return [
        {
          where: `util.inspect of provider ${name}`,
          text: inspect(instance, { depth: 8, showHidden: true, getters: true }),
        },
        { where: `JSON.stringify of provider ${name}`, text: safeStringify(instance) },
      ];
    });
  }

  it('left no unhandled rejection or uncaught exception behind', () => {
    expect(recorder.describe()).toEqual([]);
  });
});
