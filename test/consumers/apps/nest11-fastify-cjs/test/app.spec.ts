import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { CandescentSessionService, CandescentTokenService } from '@candescent/auth';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { AppModule } from '../src/app.module.js';

describe('AppModule with the sandbox from @candescent/auth/testing', () => {
  const sandbox = new CandescentSandbox();
  let moduleRef: TestingModule;

  beforeAll(async () => {
    const baseUrl = await sandbox.start();
    moduleRef = await Test.createTestingModule({
      imports: [AppModule.forCandescent({ baseUrl, ...sandbox.credentials })],
    }).compile();
    await moduleRef.init();
  });
  afterAll(async () => {
    await moduleRef.close();
    await sandbox.stop();
  });

  it('gets an institution token once and logs a demo customer in', async () => {
    const tokens = moduleRef.get(CandescentTokenService);
    const first = await tokens.getInstitutionToken();
    const second = await tokens.getInstitutionToken();
    expect(first.service).toBe('v2');
    expect(second.accessToken).toBe(first.accessToken);
    const [customer] = DEMO_CUSTOMERS;
    const login = await moduleRef
      .get(CandescentSessionService)
      .login({ username: customer.username, password: customer.password });
    expect(login.customer.loginId).toBe(customer.username);
    expect(sandbox.counters().v2Token).toBe(2);
  });
});
