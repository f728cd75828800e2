// Nest 12 is ESM-only, which Jest on Node 20 cannot load, so this app's test runs on node:test.
import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { Test, type TestingModule } from '@nestjs/testing';
import { CandescentSessionService, CandescentTokenService } from '@candescent/auth';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { AppModule } from '../src/app.module.js';

const sandbox = new CandescentSandbox();
let moduleRef: TestingModule;

before(async () => {
  const baseUrl = await sandbox.start();
  moduleRef = await Test.createTestingModule({
    imports: [AppModule.forCandescent({ baseUrl, ...sandbox.credentials })],
  }).compile();
  await moduleRef.init();
});
after(async () => {
  await moduleRef.close();
  await sandbox.stop();
});

test('gets an institution token once and logs a demo customer in', async () => {
  const tokens = moduleRef.get(CandescentTokenService);
  const first = await tokens.getInstitutionToken();
  const second = await tokens.getInstitutionToken();
  assert.equal(first.service, 'v2');
  assert.equal(second.accessToken, first.accessToken);
  const [customer] = DEMO_CUSTOMERS;
  const login = await moduleRef
    .get(CandescentSessionService)
    .login({ username: customer.username, password: customer.password });
  assert.equal(login.customer.loginId, customer.username);
  assert.equal(sandbox.counters().v2Token, 2);
});
