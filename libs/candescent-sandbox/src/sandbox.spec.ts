import { randomUUID } from 'node:crypto';
import { DEMO_CUSTOMERS } from './demo-customers';
import { CandescentSandbox } from './sandbox';
import { DEFAULT_SANDBOX_CREDENTIALS } from './sandbox.options';
import { basic, jsonBody, send, v1Headers, v1Login, v2Headers, v2Login } from './sandbox-http.test-helper';

describe('CandescentSandbox', () => {
  describe('lifecycle', () => {
    it('refuses url before start, starts on a free loopback port, and stops idempotently', async () => {
      const sandbox = new CandescentSandbox();
      expect(() => sandbox.url).toThrow(/not running.*start\(\)/);
      const url = await sandbox.start();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await sandbox.start()).toBe(url);
      expect(sandbox.url).toBe(url);
      await sandbox.stop();
      await sandbox.stop();
      expect(() => sandbox.url).toThrow(/not running/);
      await expect(fetch(`${url}/oauth2/v1/token`)).rejects.toThrow();
    });

    it('stops promptly while a latency fault holds a request open', async () => {
      const sandbox = new CandescentSandbox();
      await sandbox.start();
      sandbox.injectFault({ kind: 'latency', ms: 60_000 });
      const pending = send(`${sandbox.url}/oauth2/v1/token`, { method: 'POST', headers: v2Headers(sandbox), form: {} });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      await sandbox.stop();
      expect(performance.now() - started).toBeLessThan(1000);
      await expect(pending).rejects.toThrow();
    });

    it('validates options', () => {
      expect(() => new CandescentSandbox({ fiIds: [] })).toThrow(/fiIds/);
      expect(() => new CandescentSandbox({ accessTokenTtlSeconds: 0 })).toThrow(/accessTokenTtlSeconds/);
      expect(() => {
        new CandescentSandbox().configure({ refreshTokenTtlSeconds: 1.5 });
      }).toThrow(/refreshTokenTtlSeconds/);
    });
  });

  describe('customers and credentials', () => {
    it('seeds the demo customers, each in FI 00042 with two accounts', () => {
      const sandbox = new CandescentSandbox();
      expect(sandbox.credentials).toEqual({ ...DEFAULT_SANDBOX_CREDENTIALS });
      expect(sandbox.customers()).toEqual(DEMO_CUSTOMERS);
      for (const customer of DEMO_CUSTOMERS) {
        expect(customer.fiId).toBe('00042');
        expect(customer.fiCustomerId).toMatch(/^[0-9a-f]{32}$/);
        expect(customer.accounts).toHaveLength(2);
      }
      expect(new Set(DEMO_CUSTOMERS.flatMap((c) => c.accounts.map((a) => a.id))).size).toBe(6);
      expect(new CandescentSandbox({ seedDemoCustomers: false }).customers()).toEqual([]);
    });

    it('adds customers with generated ids, keeps them apart from callers, and refuses duplicates', () => {
      const sandbox = new CandescentSandbox({ fiIds: ['00016'] });
      const added = sandbox.addCustomer({ username: 'erin', password: 'Erin-Pass-1' });
      expect(added.fiId).toBe('00016');
      expect(added.fiCustomerId).toMatch(/^[0-9a-f]{32}$/);
      expect(added.memberNumber).toMatch(/^\d{9}$/);
      expect(new Set(added.accounts.map((a) => a.id)).size).toBe(2);
      added.accounts.length = 0;
      expect(sandbox.customers().find((c) => c.username === 'erin')?.accounts).toHaveLength(2);
      expect(() => sandbox.addCustomer({ username: 'erin', password: 'x' })).toThrow(/already exists/);
    });
  });

  describe('over HTTP', () => {
    let clock = 1_700_000_000_000;
    const sandbox = new CandescentSandbox({ now: () => clock, accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 120 });
    let baseUrl: string;

    beforeAll(async () => {
      baseUrl = await sandbox.start();
    });
    afterAll(() => sandbox.stop());
    beforeEach(() => {
      sandbox.resetCounters();
    });

    it('answers an unknown path with 404 and a wrong method with 405', async () => {
      const missing = await send(`${baseUrl}/nope?x=1`);
      expect(missing.status).toBe(404);
      expect(jsonBody(missing).code).toBe('NOT_FOUND');
      const wrong = await send(`${baseUrl}/v1/oauth/token`);
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
      expect(sandbox.requests().map((r) => [r.route, r.status])).toEqual([
        ['unknown', 404],
        ['v1-token', 405],
      ]);
    });

    it('refuses bodies over 64 KiB with 413', async () => {
      const result = await send(`${baseUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: v2Headers(sandbox),
        form: { grant_type: 'client_credentials', padding: 'x'.repeat(70 * 1024) },
      });
      expect(result.status).toBe(413);
      expect(sandbox.requests()[0]).toMatchObject({ status: 413, form: {} });
      const next = await send(`${baseUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: v2Headers(sandbox),
        form: { grant_type: 'client_credentials' },
      });
      expect(next.status).toBe(200);
    });

    it('counts requests per route and grant, and records them with raw headers', async () => {
      const transactionId = randomUUID();
      await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
      await send(`${baseUrl}/oauth2/v1/token?trace=on`, {
        method: 'POST',
        headers: v2Headers(sandbox, { transactionId }),
        form: { grant_type: 'client_credentials', scopes: 'accounts:read' },
      });
      await v1Login(sandbox, 'bob', 'Sandbox-Bob-2026!');
      await send(`${baseUrl}/v1/oauth/token`, {
        method: 'POST',
        headers: v1Headers(sandbox),
        form: { grant_type: 'magic' },
      });

      expect(sandbox.counters()).toEqual({
        v1Token: 2,
        v2Token: 2,
        v2Revoke: 0,
        v1Accounts: 0,
        v2Accounts: 0,
        byGrant: { password: 2, client_credentials: 1, magic: 1 },
        tokenRequests: 4,
      });
      const recorded = sandbox.requests()[1];
      expect(recorded).toEqual({
        route: 'v2-token',
        method: 'POST',
        path: '/oauth2/v1/token',
        query: { trace: 'on' },
        headers: expect.objectContaining({
          transactionid: transactionId,
          institutionid: '00042',
          authorization: basic('sandbox-consumer-key', 'sandbox-consumer-secret'),
        }) as unknown,
        form: { grant_type: 'client_credentials', scopes: 'accounts:read' },
        status: 200,
        at: clock,
        institutions: { headerFiId: '00042', consumerKeyFiIds: ['00042'], consumerSecretFiIds: ['00042'] },
      });

      sandbox.resetCounters();
      expect(sandbox.counters().tokenRequests).toBe(0);
      expect(sandbox.requests()).toEqual([]);
      expect(sandbox.accountsCalls()).toEqual([]);
    });

    it('expires access and refresh tokens by the injected clock', async () => {
      const { accessToken, refreshToken } = await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
      const accounts = (): Promise<number> =>
        send(`${baseUrl}/db-accounts/v1/accounts`, {
          headers: { authorization: `Bearer ${accessToken}`, transactionId: randomUUID() },
        }).then((r) => r.status);
      clock += 59_000;
      expect(await accounts()).toBe(200);
      clock += 1_000;
      expect(sandbox.isAccessTokenValid(accessToken)).toBe(false);
      expect(await accounts()).toBe(401);
      clock += 60_000;
      const refreshed = await send(`${baseUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: v2Headers(sandbox),
        form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      });
      expect(jsonBody(refreshed).code).toBe('CMN_90013');
    });

    it('invalidates every issued token on revokeAllTokens', async () => {
      const v1 = await v1Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
      const v2 = await v2Login(sandbox, 'bob', 'Sandbox-Bob-2026!');
      sandbox.revokeAllTokens();
      expect([sandbox.isAccessTokenValid(v1.accessToken), sandbox.isAccessTokenValid(v2.accessToken)]).toEqual([
        false,
        false,
      ]);
      const refreshed = await send(`${baseUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: v2Headers(sandbox),
        form: { grant_type: 'refresh_token', refresh_token: v2.refreshToken },
      });
      expect(refreshed.status).toBe(400);
    });
  });
});
