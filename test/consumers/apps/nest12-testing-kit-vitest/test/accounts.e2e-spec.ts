import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandescentTesting, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { BankingAppModule } from '../src/banking-app.module.js';

// docs/testing.md's Vitest recipe, word for word but for the module's name, and what an app's suite
// adds to it. The app reads its options from process.env; nothing here sets it, so the module
// could only boot if the kit replaced them.
describe('accounts (e2e)', () => {
  let candescent: CandescentTesting;
  let app: INestApplication;

  beforeAll(async () => {
    candescent = await CandescentTesting.start();
    const moduleRef = await candescent.override(Test.createTestingModule({ imports: [BankingAppModule] })).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await candescent.stop();
  });

  it("lists the customer's accounts", async () => {
    const { headers } = await candescent.logIn(app);
    const response = await fetch(`${await app.getUrl()}/accounts`, { headers });
    expect(response.status).toBe(200);
  });

  it('answers 503 while Candescent is unavailable', async () => {
    const { headers } = await candescent.logIn(app);
    candescent.injectFault({ kind: 'unavailable', route: 'v2-accounts' });
    const response = await fetch(`${await app.getUrl()}/accounts`, { headers });
    expect(response.status).toBe(503);
  });

  it('never read the environment: the app would have refused to start', () => {
    expect(process.env.CANDESCENT_BASE_URL).toBeUndefined();
    expect(candescent.sandbox.counters().v2Token).toBeGreaterThan(0);
  });

  it("logs in through the app's own route with a demo customer", async () => {
    const [customer] = DEMO_CUSTOMERS;
    const response = await fetch(`${await app.getUrl()}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: customer.username, password: customer.password }),
    });
    expect(response.status).toBe(200);
    const { sessionToken } = (await response.json()) as { sessionToken: string };
    const accounts = await fetch(`${await app.getUrl()}/accounts`, {
      headers: { authorization: `Bearer ${sessionToken}` },
    });
    expect(accounts.status).toBe(200);
  });
});
