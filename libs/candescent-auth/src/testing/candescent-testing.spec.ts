import { Controller, Get, type INestApplication, Injectable, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { CandescentAuthModule } from '../candescent-auth.module';
import { CandescentHttpService } from '../http/candescent-http.providers';
import { CandescentAuthGuard } from '../session/candescent-auth.guard';
import { CandescentCustomer, type CandescentCustomerView } from '../session/candescent-customer.decorator';
import type { CandescentStore } from '../store/candescent-store.interface';
import { CandescentTokenService } from '../token/candescent-token.service';
import { CandescentTesting, CandescentTestClock, CANDESCENT_STORE, DEMO_CUSTOMERS } from './index';

/** Stands for the app's ConfigService: what a real app reads from .env. Must never be called. */
@Injectable()
class AppConfig {
  static reads = 0;
  candescent() {
    AppConfig.reads += 1;
    return {
      baseUrl: 'https://api.candescent.example',
      consumerKey: 'from-dotenv',
      consumerSecret: 'from-dotenv-secret',
      fiId: '00999',
      redis: { url: 'redis://127.0.0.1:1', encryptionKey: Buffer.alloc(32).toString('base64') },
    };
  }
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
class AppConfigModule {}

@Controller()
@UseGuards(CandescentAuthGuard)
class AccountsController {
  constructor(private readonly http: CandescentHttpService) {}

  @Get('me')
  me(@CandescentCustomer() customer: CandescentCustomerView) {
    return { loginId: customer.loginId };
  }

  @Get('accounts')
  async accounts() {
    const response = await firstValueFrom(this.http.get<{ accounts: unknown[] }>('/db-accounts/v1/accounts'));
    return { count: response.data.accounts.length };
  }
}

/** The app as it would register the module, options from its own configuration. */
@Module({
  imports: [
    CandescentAuthModule.forRootAsync({
      imports: [AppConfigModule],
      inject: [AppConfig],
      useFactory: (config: AppConfig) => config.candescent(),
    }),
  ],
  controllers: [AccountsController],
})
class AppModule {}

describe('CandescentTesting', () => {
  let candescent: CandescentTesting;
  let app: INestApplication;
  const clock = new CandescentTestClock();

  beforeAll(async () => {
    candescent = await CandescentTesting.start({ clock, options: { session: { idleTimeoutMs: 60_000 } } });
    const moduleRef = await candescent.override(Test.createTestingModule({ imports: [AppModule] })).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await candescent.stop();
  });

  it("replaces the app's options with the sandbox's, without running the app's factory", async () => {
    expect(AppConfig.reads).toBe(0);
    expect(candescent.options).toMatchObject({ baseUrl: candescent.sandbox.url, fiId: '00042' });
    // The app's Redis never came into play: sessions live in memory.
    expect(app.get<symbol, CandescentStore>(CANDESCENT_STORE).sharedBetweenInstances).toBeUndefined();
    const token = await app.get(CandescentTokenService).getInstitutionToken();
    expect(candescent.sandbox.isAccessTokenValid(token.accessToken)).toBe(true);
  });

  it('logs a customer in and gives the headers that carry the session', async () => {
    const session = await candescent.logIn(app, DEMO_CUSTOMERS[1]);
    expect(Object.keys(session.headers)).toEqual(['authorization']);
    const me = await fetch(`${await app.getUrl()}/me`, { headers: session.headers });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ loginId: DEMO_CUSTOMERS[1].username });
    const accounts = await fetch(`${await app.getUrl()}/accounts`, { headers: session.headers });
    expect(accounts.status).toBe(200);
  });

  it('injects faults into the sandbox', async () => {
    const session = await candescent.logIn(app);
    candescent.injectFault({ kind: 'unavailable', route: 'v2-accounts', times: Infinity });
    try {
      const accounts = await fetch(`${await app.getUrl()}/accounts`, { headers: session.headers });
      expect(accounts.status).toBe(503);
    } finally {
      candescent.clearFaults();
    }
    expect((await fetch(`${await app.getUrl()}/accounts`, { headers: session.headers })).status).toBe(200);
  });

  it('moves the module and the sandbox with the test clock', async () => {
    const session = await candescent.logIn(app);
    clock.advance(61_000);
    const me = await fetch(`${await app.getUrl()}/me`, { headers: session.headers });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ errorCode: 'SESSION_EXPIRED' });
  });
});

describe('CandescentTesting with the cookie transport', () => {
  it('gives the session cookie and the CSRF header', async () => {
    const candescent = await CandescentTesting.start({ options: { session: { transport: 'cookie' } } });
    const moduleRef = await candescent
      .override(Test.createTestingModule({ imports: [CandescentAuthModule.forRoot(candescent.options)] }))
      .compile();
    try {
      const session = await candescent.logIn(moduleRef);
      expect(session.csrfToken).toEqual(expect.any(String));
      expect(session.headers).toEqual({
        cookie: `__Host-candescent_session=${session.sessionToken}`,
        'x-csrf-token': session.csrfToken,
      });
    } finally {
      await moduleRef.close();
      await candescent.stop();
    }
  });
});
