import { Body, Controller, Get, HttpCode, Module, Post, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  CandescentCustomer,
  type CandescentCustomerView,
  CandescentLoginCredentials,
  CandescentSessionService,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice, bob] = DEMO_CUSTOMERS;
const COOKIE = '__Host-candescent_session';

@Controller()
class CookieProbeController {
  constructor(private readonly sessions: CandescentSessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: CandescentLoginCredentials) {
    return { sessionToken: (await this.sessions.login(body)).sessionToken };
  }

  @Get('me')
  @UseGuards(CandescentAuthGuard)
  me(@CandescentCustomer() customer: CandescentCustomerView) {
    return { loginId: customer.loginId };
  }
}

/**
 * How the guard reads the session cookie, on Express and on Fastify: the whole Cookie header
 * counts, however many other cookies a page has set (no cookie bombing), and two different
 * session cookies are refused rather than one of them chosen.
 */
describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('session cookie rule on %s', (_name, adapter) => {
  let sandbox: CandescentSandbox;
  let app: INestApplication;
  let url: string;
  let aliceHandle: string;
  let bobHandle: string;

  const login = async (customer: { username: string; password: string }): Promise<string> => {
    const reply = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(customer),
    });
    return ((await reply.json()) as { sessionToken: string }).sessionToken;
  };
  const me = async (cookie: string): Promise<{ status: number; body: { loginId?: string; errorCode?: string } }> => {
    const reply = await fetch(`${url}/me`, { headers: { cookie } });
    return { status: reply.status, body: (await reply.json()) as { loginId?: string; errorCode?: string } };
  };
  /** Cookies a page could set before ours, about `chars` characters in all. */
  const filler = (chars: number) =>
    Array.from({ length: Math.ceil(chars / 40) }, (_, i) => `tracking_${i}=${'x'.repeat(25)}`).join('; ');

  beforeAll(async () => {
    sandbox = await startSandbox();
    @Module({
      imports: [CandescentAuthModule.forRoot(sandboxOptions(sandbox, { session: { transport: 'cookie' } }))],
      controllers: [CookieProbeController],
    })
    class CookieAppModule {}
    app = await NestFactory.create(CookieAppModule, adapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    aliceHandle = await login(alice);
    bobHandle = await login(bob);
  });

  afterAll(async () => {
    await app.close();
    await sandbox.stop();
  });

  it('finds the session cookie behind more than 8,192 characters of other cookies', async () => {
    const cookie = `${filler(12_000)}; ${COOKIE}=${aliceHandle}`;
    expect(cookie.length).toBeGreaterThan(8_192 + 3_000);
    const reply = await me(cookie);
    expect(reply.status).toBe(200);
    expect(reply.body.loginId).toBe('alice');
  });

  it.each([
    ['the real one first', () => `${COOKIE}=${aliceHandle}; ${COOKIE}=${bobHandle}`],
    ['the real one last', () => `${COOKIE}=${bobHandle}; ${COOKIE}=${aliceHandle}`],
    ['a planted malformed one first', () => `${COOKIE}=planted; ${COOKIE}=${aliceHandle}`],
    ['one far behind the other', () => `${COOKIE}=${aliceHandle}; ${filler(9_000)}; ${COOKIE}=${bobHandle}`],
  ])('refuses two different session cookies (%s) with 401 SESSION_INVALID', async (_label, cookie) => {
    const reply = await me(cookie());
    expect(reply.status).toBe(401);
    expect(reply.body.errorCode).toBe('SESSION_INVALID');
  });

  it('accepts the same session cookie sent twice', async () => {
    const reply = await me(`${COOKIE}=${aliceHandle}; theme=dark; ${COOKIE}=${aliceHandle}`);
    expect(reply.status).toBe(200);
    expect(reply.body.loginId).toBe('alice');
  });
});
