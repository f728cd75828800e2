import {
  Body,
  Controller,
  Get,
  HttpCode,
  Ip,
  Module,
  Post,
  Req,
  Res,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  CandescentCustomer,
  type CandescentCustomerView,
  CandescentHttpService,
  CandescentLoginCredentials,
  type CandescentLoginRequest,
  type CandescentLoginResponse,
  CandescentSessionCookies,
  CandescentSessionService,
  RequireCustomerToken,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice, bob] = DEMO_CUSTOMERS;
const COOKIE = '__Host-candescent_session';
/** The app's own cookies, set before the module's: they must reach the client too. */
const THEME_COOKIE = 'theme=dark; Path=/';
const BYE_COOKIE = 'bye=1; Path=/';

/**
 * What both Express's response and Fastify's reply offer. The app sets its own cookie first with
 * it: on Express `header()` replaces, so a module that replaced too would drop this one.
 */
interface HeaderSink {
  header(name: string, value: string): unknown;
}

@Controller()
class ProbeController {
  constructor(
    private readonly sessions: CandescentSessionService,
    private readonly cookies: CandescentSessionCookies,
    private readonly http: CandescentHttpService,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: CandescentLoginCredentials,
    @Ip() ip: string,
    @Req() request: CandescentLoginRequest,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<CandescentLoginResponse> {
    res.header('Set-Cookie', THEME_COOKIE);
    const result = await this.sessions.login(body, this.cookies.loginContext(request, { originatingIp: ip }));
    return this.cookies.loginResponse(res, result);
  }

  @Get('me')
  @UseGuards(CandescentAuthGuard)
  me(@CandescentCustomer() customer: CandescentCustomerView) {
    return { loginId: customer.loginId };
  }

  @Get('accounts')
  @UseGuards(CandescentAuthGuard)
  @RequireCustomerToken()
  async accounts() {
    const { data } = await firstValueFrom(
      this.http.get<{ accounts: Array<{ id: string }> }>('/db-accounts/v1/accounts'),
    );
    return data;
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(CandescentAuthGuard)
  async logout(
    @CandescentCustomer('sessionId') sessionId: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<void> {
    res.header('Set-Cookie', BYE_COOKIE);
    await this.sessions.logout(sessionId);
    this.cookies.clear(res);
  }
}

/**
 * The library is not tied to Express: the guard, the decorators, the request context, the
 * outgoing interceptor and the error filter work the same on Fastify.
 */
describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('on %s', (_name, adapter) => {
  let sandbox: CandescentSandbox;
  let app: INestApplication;
  let url: string;

  async function start(transport: 'bearer' | 'cookie'): Promise<void> {
    @Module({
      imports: [CandescentAuthModule.forRoot(sandboxOptions(sandbox, { session: { transport } }))],
      controllers: [ProbeController],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, adapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  }

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterEach(async () => {
    await app.close();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('bearer sessions: login, guarded routes, customer token on the outgoing call, 401 with a reason', async () => {
    await start('bearer');
    const login = (await (await post('/login', { username: alice.username, password: alice.password })).json()) as {
      sessionToken: string;
    };
    const auth = { authorization: `Bearer ${login.sessionToken}` };
    expect(await (await fetch(`${url}/me`, { headers: auth })).json()).toEqual({ loginId: 'alice' });
    const accounts = (await (await fetch(`${url}/accounts`, { headers: auth })).json()) as {
      accounts: Array<{ id: string }>;
    };
    expect(accounts.accounts.map((a) => a.id).sort()).toEqual(alice.accounts.map((a) => a.id).sort());
    expect(sandbox.accountsCalls().at(-1)?.tokenGrant).toBe('password');

    const missing = await fetch(`${url}/me`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ statusCode: 401, errorCode: 'SESSION_MISSING' });
  });

  /** The module's session cookie among the `Set-Cookie` headers of a reply, and the others. */
  function setCookies(reply: Response): { session: string[]; others: string[] } {
    const all = reply.headers.getSetCookie();
    return {
      session: all.filter((value) => value.startsWith(`${COOKIE}=`)),
      others: all.filter((value) => !value.startsWith(`${COOKIE}=`)),
    };
  }

  it('cookie sessions: login sets the cookie beside the app own, a guarded call works with it, logout clears it', async () => {
    await start('cookie');
    const reply = await post('/login', { username: bob.username, password: bob.password });
    expect(reply.status).toBe(200);
    const { session, others } = setCookies(reply);
    expect(others).toEqual([THEME_COOKIE]);
    expect(session).toHaveLength(1);
    const [pair = '', ...attributes] = (session[0] ?? '').split('; ');
    const handle = pair.slice(COOKIE.length + 1);
    expect(handle).toMatch(/^cds_[\w-]{43}$/);
    expect(attributes).toEqual([
      'Path=/',
      expect.stringMatching(/^Max-Age=\d+$/),
      expect.stringMatching(/^Expires=/),
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
    ]);
    // The cookie lives until the absolute expiry (12 h by default), not the 15 min idle time.
    const maxAge = Number(attributes[1]?.slice('Max-Age='.length));
    expect(maxAge).toBeGreaterThan(43_200 - 60);
    expect(maxAge).toBeLessThanOrEqual(43_200);
    const text = await reply.text();
    const body = JSON.parse(text) as CandescentLoginResponse;
    expect(body.sessionToken).toBeUndefined();
    expect(text).not.toContain(handle);
    expect(body.csrfToken).toMatch(/^[\w-]{16,}$/);
    expect(body.customer.loginId).toBe('bob');

    const cookie = { cookie: `${COOKIE}=${handle}; theme=dark` };
    expect(await (await fetch(`${url}/me`, { headers: cookie })).json()).toEqual({ loginId: 'bob' });
    const forged = await post('/logout', {}, cookie);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ errorCode: 'CSRF_REJECTED' });

    const logout = await post('/logout', {}, { ...cookie, 'x-csrf-token': body.csrfToken ?? '' });
    expect(logout.status).toBe(204);
    const cleared = setCookies(logout);
    expect(cleared.others).toEqual([BYE_COOKIE]);
    expect(cleared.session).toEqual([
      `${COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict`,
    ]);
    expect(await (await fetch(`${url}/me`, { headers: cookie })).json()).toMatchObject({
      errorCode: 'SESSION_REVOKED',
    });
  });

  it('cookie sessions: a cross-site login is refused (403 CSRF_REJECTED) and sets no session cookie', async () => {
    await start('cookie');
    const reply = await post(
      '/login',
      { username: alice.username, password: alice.password },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(reply.status).toBe(403);
    expect(await reply.json()).toMatchObject({ statusCode: 403, errorCode: 'CSRF_REJECTED' });
    expect(setCookies(reply).session).toEqual([]);
  });

  it('bearer sessions: the handle is in the body, and neither login nor logout sets a session cookie', async () => {
    await start('bearer');
    const reply = await post('/login', { username: alice.username, password: alice.password });
    expect(setCookies(reply)).toEqual({ session: [], others: [THEME_COOKIE] });
    const body = (await reply.json()) as CandescentLoginResponse;
    expect(body.sessionToken).toMatch(/^cds_[\w-]{43}$/);
    expect(body.csrfToken).toBeUndefined();
    const logout = await post('/logout', {}, { authorization: `Bearer ${body.sessionToken ?? ''}` });
    expect(logout.status).toBe(204);
    expect(setCookies(logout)).toEqual({ session: [], others: [BYE_COOKIE] });
  });
});
