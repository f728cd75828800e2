import { Controller, Get, Injectable, type INestApplication, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  type CandescentAuthModuleOptions,
  CandescentContext,
  CandescentHttpService,
  CandescentSessionService,
  type CandescentGuardedRequest,
  RequireCustomerToken,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { LogCapture } from '../support/logs';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice] = DEMO_CUSTOMERS;
const COOKIE = '__Host-candescent_session';
const ACCOUNTS = '/db-accounts/v1/accounts';

/** A guard whose app sends the session handle in a header of its own. */
@Injectable()
class HeaderHandleGuard extends CandescentAuthGuard {
  protected override extractHandle(request: CandescentGuardedRequest): string | undefined {
    const value = request.headers['x-session'];
    return typeof value === 'string' ? value : undefined;
  }
}

@Controller()
class ScopeController {
  constructor(private readonly http: CandescentHttpService) {}

  /** An open route: says whether it runs inside a Candescent request context. */
  @Get('probe')
  probe(): { context: boolean } {
    return { context: CandescentContext.current() !== undefined };
  }

  @Get('custom-guard/accounts')
  @UseGuards(HeaderHandleGuard)
  async customGuardAccounts(): Promise<unknown> {
    return (await firstValueFrom(this.http.get(ACCOUNTS))).data;
  }

  @Get('guarded/accounts')
  @UseGuards(CandescentAuthGuard)
  async guardedAccounts(): Promise<unknown> {
    return (await firstValueFrom(this.http.get(ACCOUNTS))).data;
  }

  /** Demands a customer token without the session guard in front of it. */
  @Get('customer-only/accounts')
  @RequireCustomerToken()
  async customerOnlyAccounts(): Promise<unknown> {
    return (await firstValueFrom(this.http.get(ACCOUNTS))).data;
  }
}

/**
 * Where the module opens the request context. By default only requests that carry a session
 * handle get one (the rest of the app pays nothing for it); `context: true` gives every request
 * one; `false` none. Where a context is missing but needed, the request is refused rather than
 * let a customer route call Candescent with the institution token.
 */
describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('request context scope on %s', (_name, adapter) => {
  let sandbox: CandescentSandbox;
  let app: INestApplication | undefined;
  let url: string;
  let logs: LogCapture;

  async function start(
    context: boolean | 'sessions' | undefined,
    overrides: Partial<CandescentAuthModuleOptions> = {},
    prefix?: { prefix: string; exclude: string[] },
  ): Promise<void> {
    @Module({
      imports: [
        CandescentAuthModule.forRoot({
          ...sandboxOptions(sandbox, overrides),
          ...(context === undefined ? {} : { context }),
        }),
      ],
      controllers: [ScopeController],
      providers: [HeaderHandleGuard],
    })
    class AppModule {}
    logs = new LogCapture();
    app = await NestFactory.create(AppModule, adapter(), { logger: logs });
    if (prefix) app.setGlobalPrefix(prefix.prefix, { exclude: prefix.exclude });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  }

  async function probe(headers: Record<string, string> = {}, path = '/probe'): Promise<boolean> {
    const response = await fetch(`${url}${path}`, { headers });
    expect(response.status).toBe(200);
    return ((await response.json()) as { context: boolean }).context;
  }

  async function login(): Promise<string> {
    const result = await app!.get(CandescentSessionService).login(alice);
    return result.sessionToken;
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('by default opens a context only for requests with an Authorization header (bearer transport)', async () => {
    await start(undefined);
    expect(await probe()).toBe(false);
    expect(await probe({ cookie: `${COOKIE}=abc` })).toBe(false);
    expect(await probe({ authorization: 'Bearer abc' })).toBe(true);
  });

  it('with the cookie transport, opens one only for requests with the session cookie', async () => {
    await start('sessions', { session: { transport: 'cookie' } });
    expect(await probe()).toBe(false);
    expect(await probe({ cookie: 'theme=dark' })).toBe(false);
    expect(await probe({ authorization: 'Bearer abc' })).toBe(false);
    expect(await probe({ cookie: `theme=dark; ${COOKIE}=abc` })).toBe(true);
  });

  it('reaches routes under a global prefix and the routes it excludes', async () => {
    await start(undefined, {}, { prefix: 'api', exclude: ['custom-guard/accounts'] });
    expect(await probe({ authorization: 'Bearer abc' }, '/api/probe')).toBe(true);
    expect(await probe({}, '/api/probe')).toBe(false);
    const handle = await login();
    const excluded = await fetch(`${url}/custom-guard/accounts`, { headers: { authorization: `Bearer ${handle}` } });
    // The subclassed guard reads x-session, so with only the bearer header it refuses the
    // request as one without a session: a 401, not the 500 of a request without a context.
    expect(excluded.status).toBe(401);
    const guarded = await fetch(`${url}/custom-guard/accounts`, {
      headers: { authorization: `Bearer ${handle}`, 'x-session': handle },
    });
    expect(guarded.status).toBe(200);
  });

  it.each([
    ['a malformed handle', { authorization: 'Basic abc' }],
    ['an unknown handle', { authorization: `Bearer ${'A'.repeat(43)}` }],
    ['no handle', {}],
  ])("refuses %s with the caller's trace id in the 401 body", async (_case, headers) => {
    await start(undefined);
    const trace = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const response = await fetch(`${url}/custom-guard/accounts`, {
      headers: {
        ...headers,
        'x-request-id': trace,
        ...('authorization' in headers ? { 'x-session': headers.authorization.split(' ')[1] } : {}),
      },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ traceId: trace });
  });

  it("opens a context for every session cookie the guard's parser accepts, spaces around the name included", async () => {
    await start('sessions', { session: { transport: 'cookie' } });
    expect(await probe({ cookie: `${COOKIE} =abc` })).toBe(true);
    expect(await probe({ cookie: `theme=dark;  ${COOKIE}  = abc` })).toBe(true);
    // The name inside another cookie's value is not the session cookie.
    expect(await probe({ cookie: `note=${COOKIE}` })).toBe(false);
    const handle = await login();
    const response = await fetch(`${url}/guarded/accounts`, { headers: { cookie: `${COOKIE} =${handle}` } });
    expect(response.status).toBe(200);
  });

  it('context: true opens one for every request, context: false for none', async () => {
    await start(true);
    expect(await probe()).toBe(true);
    await app!.close();
    await start(false);
    expect(await probe({ authorization: 'Bearer abc' })).toBe(false);
  });

  it('refuses a request admitted by a guard that reads the handle where the middleware does not look, without calling Candescent', async () => {
    await start(undefined);
    const handle = await login();
    sandbox.resetCounters();
    const response = await fetch(`${url}/custom-guard/accounts`, { headers: { 'x-session': handle } });
    const text = await response.text();
    expect(response.status).toBe(500);
    const body = JSON.parse(text) as { errorCode: string; traceId: string; message: string };
    expect(body.errorCode).toBe('NO_REQUEST_CONTEXT');
    expect(body.traceId).toMatch(/^[0-9a-f-]{36}$/);
    // The client learns that the server is misconfigured, not how: the explanation is logged.
    expect(body.message).toMatch(/^The server cannot handle this request because of its own configuration/);
    expect(text).not.toContain('context: true');
    expect(text).not.toContain(handle);
    const logged = logs.linesAt('error').filter((line) => line.includes(body.traceId));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('context: true');
    expect(logs.lines().join('\n')).not.toContain(handle);
    expect(sandbox.accountsCalls()).toEqual([]);
  });

  it('with context: true the same guard works, and the call carries the customer token', async () => {
    await start(true);
    const handle = await login();
    sandbox.resetCounters();
    const response = await fetch(`${url}/custom-guard/accounts`, { headers: { 'x-session': handle } });
    expect(response.status).toBe(200);
    expect(sandbox.accountsCalls()).toMatchObject([{ status: 200, tokenGrant: 'password' }]);
  });

  it('@RequireCustomerToken() refuses a request without a session handle with 401, before any Candescent call', async () => {
    await start(undefined);
    sandbox.resetCounters();
    const response = await fetch(`${url}/customer-only/accounts`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errorCode: 'SESSION_MISSING' });
    expect(sandbox.accountsCalls()).toEqual([]);
    expect(sandbox.counters().tokenRequests).toBe(0);
  });
});

describe('the context switch', () => {
  it.each([['always'], [1], [null]])('refuses context: %j at forRoot with what it takes', (value) => {
    expect(() =>
      CandescentAuthModule.forRoot({
        baseUrl: 'http://127.0.0.1:1',
        context: value as unknown as boolean,
      }),
    ).toThrow(/context must be 'sessions' \(the default\), true or false, not (?:'always'|1|null)/);
  });
});
