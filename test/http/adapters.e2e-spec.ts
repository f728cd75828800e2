import {
  Body,
  Controller,
  Get,
  HttpCode,
  Ip,
  Module,
  Post,
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
  CandescentSessionService,
  RequireCustomerToken,
  sessionCookie,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice, bob] = DEMO_CUSTOMERS;
const COOKIE_OPTIONS = { session: { cookieName: '__Host-candescent_session', cookieSameSite: 'strict' as const } };

/** What both Express's response and Fastify's reply offer. */
interface HeaderSink {
  header(name: string, value: string): unknown;
}

@Controller()
class ProbeController {
  constructor(
    private readonly sessions: CandescentSessionService,
    private readonly http: CandescentHttpService,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: CandescentLoginCredentials, @Ip() ip: string, @Res({ passthrough: true }) res: HeaderSink) {
    const result = await this.sessions.login(body, { originatingIp: ip });
    res.header('Set-Cookie', sessionCookie(COOKIE_OPTIONS, result.sessionToken, result.absoluteExpiresAt));
    return { sessionToken: result.sessionToken, csrfToken: result.csrfToken };
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
  async logout(@CandescentCustomer('sessionId') sessionId: string): Promise<void> {
    await this.sessions.logout(sessionId);
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

  it('cookie sessions: a state-changing request without the CSRF token is refused', async () => {
    await start('cookie');
    const reply = await post('/login', { username: bob.username, password: bob.password });
    const { sessionToken, csrfToken } = (await reply.json()) as { sessionToken: string; csrfToken: string };
    expect(reply.headers.get('set-cookie')).toMatch(
      /^__Host-candescent_session=cds_[\w-]+; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Strict$/,
    );
    const cookie = { cookie: `__Host-candescent_session=${sessionToken}` };
    expect((await fetch(`${url}/me`, { headers: cookie })).status).toBe(200);

    const forged = await post('/logout', {}, cookie);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ errorCode: 'CSRF_REJECTED' });
    expect((await post('/logout', {}, { ...cookie, 'x-csrf-token': csrfToken })).status).toBe(204);
    expect(await (await fetch(`${url}/me`, { headers: cookie })).json()).toMatchObject({
      errorCode: 'SESSION_REVOKED',
    });
  });
});
