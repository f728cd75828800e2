import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { CandescentSessionService, CandescentTokenService } from '@candescent/auth';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { AppModule } from './../src/app.module.js';
import { runScenario } from './../src/scenario.js';

// The e2e test `nest new` makes (Vitest globals), on the sandbox from @candescent/auth/testing.
describe('AppModule on the Candescent sandbox (e2e)', () => {
  const sandbox = new CandescentSandbox();
  let moduleFixture: TestingModule;
  let app: INestApplication;

  beforeAll(async () => {
    const baseUrl = await sandbox.start();
    moduleFixture = await Test.createTestingModule({
      imports: [AppModule.forCandescent({ baseUrl, ...sandbox.credentials })],
    }).compile();
    app = moduleFixture.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await sandbox.stop();
  });

  it('gets an institution token once and logs a demo customer in', async () => {
    const tokens = moduleFixture.get(CandescentTokenService);
    const first = await tokens.getInstitutionToken();
    const second = await tokens.getInstitutionToken();
    expect(first.service).toBe('v2');
    expect(second.accessToken).toBe(first.accessToken);
    const [customer] = DEMO_CUSTOMERS;
    const login = await moduleFixture
      .get(CandescentSessionService)
      .login({ username: customer.username, password: customer.password });
    expect(login.customer.loginId).toBe(customer.username);
    expect(sandbox.counters().v2Token).toBe(2);
  });

  it('logs in, calls Candescent through a guarded route and logs out, over HTTP', async () => {
    const steps = await runScenario(await app.getUrl(), DEMO_CUSTOMERS[1]);
    expect(steps).toEqual([
      'login',
      'outgoing call (customer token)',
      'outgoing call (institution token)',
      'logout (then 401)',
    ]);
  });
});
