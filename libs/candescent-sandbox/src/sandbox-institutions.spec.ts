import { randomUUID } from 'node:crypto';
import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from './demo-customers';
import { DEMO_INSTITUTIONS, SECOND_FI_DEMO_CREDENTIALS } from './demo-institutions';
import { CandescentSandbox } from './sandbox';
import {
  DEFAULT_SANDBOX_CREDENTIALS,
  type SandboxCredentials,
  type SandboxInstitutionCustomer,
} from './sandbox.options';
import {
  basic,
  jsonBody,
  send,
  v1Headers,
  v1Login,
  v2Headers,
  v2InstitutionToken,
  v2Login,
  type HttpResult,
} from './sandbox-http.test-helper';

const A: SandboxCredentials = DEFAULT_SANDBOX_CREDENTIALS;
const B: SandboxCredentials = SECOND_FI_DEMO_CREDENTIALS;
const aliceAtA = DEMO_CUSTOMERS[0];
const aliceAtB = SECOND_FI_DEMO_CUSTOMERS[0];

describe('CandescentSandbox with several institutions', () => {
  describe('options', () => {
    it("reads today's single-app options as institutions sharing one consumer key", () => {
      const sandbox = new CandescentSandbox({ consumerKey: 'k', consumerSecret: 's', fiIds: ['00016', '00077'] });
      expect(sandbox.credentials).toEqual({ consumerKey: 'k', consumerSecret: 's', fiId: '00016' });
      expect(sandbox.institutions).toEqual([
        { consumerKey: 'k', consumerSecret: 's', fiId: '00016' },
        { consumerKey: 'k', consumerSecret: 's', fiId: '00077' },
      ]);
      // Demo customers are seeded as before, whatever the FIs.
      expect(sandbox.customers()).toEqual(DEMO_CUSTOMERS);
      expect(new CandescentSandbox().institutions).toEqual([{ ...DEFAULT_SANDBOX_CREDENTIALS }]);
    });

    it('serves DEMO_INSTITUTIONS: two FIs, two apps, each with its own customers', () => {
      const sandbox = new CandescentSandbox({ institutions: DEMO_INSTITUTIONS });
      expect(sandbox.credentials).toEqual({ ...A });
      expect(sandbox.credentialsFor('00043')).toEqual({ ...B });
      expect(sandbox.customers()).toEqual([...DEMO_CUSTOMERS, ...SECOND_FI_DEMO_CUSTOMERS]);
      expect(() => sandbox.credentialsFor('00099')).toThrow(/FI 00099 is not served here \(it serves 00042, 00043\)/);
    });

    it('fills in the FI id of customers given without one, and starts empty without customers', () => {
      const withoutFi: SandboxInstitutionCustomer = { ...aliceAtA, fiId: undefined };
      const sandbox = new CandescentSandbox({
        institutions: [
          { ...B, customers: [withoutFi] },
          { ...A, fiId: '00016' },
        ],
      });
      expect(sandbox.customers()).toEqual([{ ...aliceAtA, fiId: '00043' }]);
      expect(sandbox.addCustomer({ username: 'zed', password: 'Zed-Pass-1' }).fiId).toBe('00043');
      expect(sandbox.addCustomer({ username: 'zed', password: 'Zed-Pass-1', fiId: '00016' }).fiId).toBe('00016');
      expect(() => sandbox.addCustomer({ username: 'yan', password: 'Yan-Pass-1', fiId: '00042' })).toThrow(
        /FI 00042 is not served here/,
      );
    });

    it.each<[string, () => CandescentSandbox, RegExp]>([
      [
        'single-app options next to institutions',
        () => new CandescentSandbox({ institutions: DEMO_INSTITUTIONS, fiIds: ['00042'], seedDemoCustomers: false }),
        /institutions cannot be combined with fiIds, seedDemoCustomers; give each institution/,
      ],
      ['an empty list', () => new CandescentSandbox({ institutions: [] }), /at least one institution/],
      [
        'a repeated FI id',
        () => new CandescentSandbox({ institutions: [A, { ...B, fiId: A.fiId }] }),
        /institutions\[1\]\.fiId 00042 is already institutions\[0\]/,
      ],
      [
        'one consumer key with two secrets',
        () => new CandescentSandbox({ institutions: [A, { ...B, consumerKey: A.consumerKey }] }),
        /institutions\[1\] shares its consumerKey with institutions\[0\] but not its consumerSecret/,
      ],
      [
        'a key with a colon, an empty secret and an empty FI id, all at once',
        () => new CandescentSandbox({ institutions: [{ fiId: '', consumerKey: 'a:b', consumerSecret: '' }] }),
        /fiId must be a non-empty string[\s\S]*consumerKey must not contain ":"[\s\S]*consumerSecret must be a non-empty/,
      ],
      [
        'a customer of another FI',
        () => new CandescentSandbox({ institutions: [{ ...B, customers: DEMO_CUSTOMERS }] }),
        /institutions\[0\]\.customers\[0\] says fiId 00042; leave it out or make it 00043/,
      ],
      [
        'a username twice at one FI',
        () =>
          new CandescentSandbox({
            institutions: [{ ...A, customers: [aliceAtA, { ...aliceAtA, fiCustomerId: 'f'.repeat(32) }] }],
          }),
        /username 'alice' already exists in FI 00042/,
      ],
    ])('refuses %s with a clear error', (_case, build, message) => {
      expect(build).toThrow(message);
    });

    it('never puts a consumer key or secret in its errors', () => {
      const secret = 'Very-Secret-Value-1';
      let message = '';
      try {
        new CandescentSandbox({
          institutions: [
            { fiId: '00042', consumerKey: 'key-one', consumerSecret: secret },
            { fiId: '00043', consumerKey: 'key-one', consumerSecret: `${secret}-other` },
          ],
        });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/shares its consumerKey/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain('key-one');
    });

    it('shares nothing between two instances: each is its own origin with its own tokens and customers', async () => {
      const first = new CandescentSandbox();
      const second = new CandescentSandbox();
      try {
        await Promise.all([first.start(), second.start()]);
        expect(first.url).not.toBe(second.url);
        first.addCustomer({ username: 'only-first', password: 'Only-First-1' });
        expect(second.customers().map((c) => c.username)).not.toContain('only-first');
        const { accessToken } = await v2Login(first, 'alice', aliceAtA.password);
        expect(first.isAccessTokenValid(accessToken)).toBe(true);
        expect(second.isAccessTokenValid(accessToken)).toBe(false);
        const elsewhere = await send(`${second.url}/db-accounts/v1/accounts`, {
          headers: { authorization: `Bearer ${accessToken}`, transactionId: randomUUID() },
        });
        expect(elsewhere.status).toBe(401);
        expect(second.requests()).toHaveLength(1);
        expect(first.requests()).toHaveLength(1);
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
    });
  });

  describe('over HTTP', () => {
    const sandbox = new CandescentSandbox({ institutions: DEMO_INSTITUTIONS });
    let baseUrl: string;

    beforeAll(async () => {
      baseUrl = await sandbox.start();
    });
    afterAll(() => sandbox.stop());
    beforeEach(() => {
      sandbox.resetCounters();
    });

    const v2Accounts = (token: string, headers: Record<string, string> = {}, query = ''): Promise<HttpResult> =>
      send(`${baseUrl}/db-accounts/v1/accounts${query}`, {
        headers: { authorization: `Bearer ${token}`, transactionId: randomUUID(), ...headers },
      });
    const v1Accounts = (
      token: string,
      fiId: string,
      fiCustomerId: string,
      headers: Record<string, string> = {},
    ): Promise<HttpResult> =>
      send(`${baseUrl}/bankingservices/v2/fis/${fiId}/fiCustomers/${fiCustomerId}/accounts`, {
        headers: { authorization: `Bearer ${token}`, di_tid: randomUUID(), accept: 'application/json', ...headers },
      });
    const v2Token = (form: Record<string, string>, as: SandboxCredentials, headers: Record<string, string> = {}) =>
      send(`${baseUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(v2Headers(sandbox, headers, as)).filter(([, v]) => v !== '')),
        form,
      });
    const revoke = (token: string, as: SandboxCredentials, headers: Record<string, string> = {}) =>
      send(`${baseUrl}/oauth2/v1/revoke`, {
        method: 'DELETE',
        headers: v2Headers(sandbox, headers, as),
        form: { token },
      });

    it('gives the same username at two FIs different customers, on V1 and V2', async () => {
      const v1AtA = await v1Login(sandbox, 'alice', aliceAtA.password, A);
      const v1AtB = await v1Login(sandbox, 'alice', aliceAtB.password, B);
      expect([v1AtA.fiId, v1AtA.fiCustomerId, v1AtA.memberNumber]).toEqual([
        '00042',
        aliceAtA.fiCustomerId,
        aliceAtA.memberNumber,
      ]);
      expect([v1AtB.fiId, v1AtB.fiCustomerId, v1AtB.memberNumber]).toEqual([
        '00043',
        aliceAtB.fiCustomerId,
        aliceAtB.memberNumber,
      ]);
      expect(jsonBody(await v1Accounts(v1AtB.accessToken, '00043', v1AtB.fiCustomerId))).toEqual({
        accounts: aliceAtB.accounts,
      });

      const v2AtA = await v2Login(sandbox, 'alice', aliceAtA.password, A);
      const v2AtB = await v2Login(sandbox, 'alice', aliceAtB.password, B);
      expect(jsonBody(await v2Accounts(v2AtA.accessToken, { institutionId: '00042' }))).toEqual({
        accounts: aliceAtA.accounts,
      });
      expect(jsonBody(await v2Accounts(v2AtB.accessToken, { institutionId: '00043' }))).toEqual({
        accounts: aliceAtB.accounts,
      });
      // An institution token looks customers up in its own FI only.
      const institutionAtB = await v2InstitutionToken(sandbox, B);
      expect(jsonBody(await v2Accounts(institutionAtB, {}, '?loginId=alice'))).toEqual({ accounts: aliceAtB.accounts });
      expect(jsonBody(await v2Accounts(institutionAtB, {}, '?loginId=bob'))).toEqual({ accounts: [] });
      expect(jsonBody(await v2Accounts(institutionAtB, {}, `?hostUserId=${aliceAtA.memberNumber}`))).toEqual({
        accounts: [],
      });
      expect(sandbox.isolationViolations()).toEqual([]);
    });

    it("reads each FI's own customer when two FIs happen to use the same di_ficustomer", async () => {
      const guid = 'ab'.repeat(16);
      const twins = new CandescentSandbox({
        institutions: [
          { ...A, customers: [{ ...aliceAtA, fiCustomerId: guid }] },
          { ...B, customers: [{ ...aliceAtB, fiCustomerId: guid }] },
        ],
      });
      try {
        await twins.start();
        const atB = await v2Login(twins, 'alice', aliceAtB.password, B);
        const v1AtB = await v1Login(twins, 'alice', aliceAtB.password, B);
        const v2 = await send(`${twins.url}/db-accounts/v1/accounts`, {
          headers: { authorization: `Bearer ${atB.accessToken}`, transactionId: randomUUID() },
        });
        expect(jsonBody(v2)).toEqual({ accounts: aliceAtB.accounts });
        const v1 = await send(`${twins.url}/bankingservices/v2/fis/00043/fiCustomers/${guid}/accounts`, {
          headers: { authorization: `Bearer ${v1AtB.accessToken}`, di_tid: randomUUID(), accept: 'application/json' },
        });
        expect(jsonBody(v1)).toEqual({ accounts: aliceAtB.accounts });
      } finally {
        await twins.stop();
      }
    });

    it.each(['password', 'client_credentials'])(
      "refuses FI B's consumer key a %s token for FI A with 401 (V1 90001 di_fiid not authorized, V2 CMN_90001)",
      async (grant) => {
        const form: Record<string, string> =
          grant === 'password'
            ? { grant_type: grant, username: 'alice', password: aliceAtA.password }
            : { grant_type: grant };
        const v1 = await send(`${baseUrl}/v1/oauth/token`, {
          method: 'POST',
          headers: v1Headers(sandbox, { di_fiid: A.fiId, accept: 'application/json' }, B),
          form,
        });
        expect(v1.status).toBe(401);
        expect(jsonBody(v1).statusMessage).toBe('di_fiid not authorized');
        const v2 = await v2Token(form, B, { institutionId: A.fiId });
        expect(v2.status).toBe(401);
        expect(jsonBody(v2)).toEqual({ code: 'CMN_90001', message: 'client not authorized' });
        // The same key and FI together work.
        expect((await v2Token({ ...form, username: 'frank', password: 'Sandbox-Frank-2026!' }, B)).status).toBe(200);
      },
    );

    it("refuses a V2 token of FI A at FI B's accounts endpoint with 401 CMN_90001, customer and institution tokens alike", async () => {
      const customer = await v2Login(sandbox, 'alice', aliceAtA.password, A);
      const institution = await v2InstitutionToken(sandbox, A);
      for (const [token, query] of [
        [customer.accessToken, ''],
        [institution, '?loginId=alice'],
      ]) {
        const crossed = await v2Accounts(token, { institutionId: B.fiId }, query);
        expect(crossed.status).toBe(401);
        expect(jsonBody(crossed)).toEqual({ code: 'CMN_90001', message: 'client not authorized' });
        expect((await v2Accounts(token, { institutionId: A.fiId }, query)).status).toBe(200);
      }
      expect(sandbox.accountsCalls().map((call) => [call.status, call.returnedFiCustomerId])).toEqual([
        [401, undefined],
        [200, aliceAtA.fiCustomerId],
        [401, undefined],
        [200, aliceAtA.fiCustomerId],
      ]);
    });

    it("refuses a V1 token of FI A at FI B's accounts path, or with FI B's di_fiid header, with 401 90001", async () => {
      const login = await v1Login(sandbox, 'alice', aliceAtA.password, A);
      for (const crossed of [
        await v1Accounts(login.accessToken, B.fiId, login.fiCustomerId),
        await v1Accounts(login.accessToken, A.fiId, login.fiCustomerId, { di_fiid: B.fiId }),
      ]) {
        expect(crossed.status).toBe(401);
        expect(jsonBody(crossed).statusMessage).toBe('di_fiid not authorized');
      }
      expect((await v1Accounts(login.accessToken, A.fiId, login.fiCustomerId, { di_fiid: A.fiId })).status).toBe(200);
    });

    it("refuses FI A's refresh token to FI B's consumer key, with or without an institutionId, and burns it", async () => {
      for (const headers of [{}, { institutionId: '' }] as Record<string, string>[]) {
        const { refreshToken } = await v2Login(sandbox, 'alice', aliceAtA.password, A);
        const crossed = await v2Token({ grant_type: 'refresh_token', refresh_token: refreshToken }, B, headers);
        expect(crossed.status).toBe(400);
        expect(jsonBody(crossed)).toEqual({ code: 'CMN_90013', message: 'invalid token or user' });
        // Presented to the wrong app it may have leaked: it is no good to its own FI either.
        const own = await v2Token({ grant_type: 'refresh_token', refresh_token: refreshToken }, A);
        expect(own.status).toBe(400);
      }
      const { refreshToken } = await v2Login(sandbox, 'alice', aliceAtB.password, B);
      expect(
        (await v2Token({ grant_type: 'refresh_token', refresh_token: refreshToken }, B, { institutionId: '' })).status,
      ).toBe(200);
    });

    it("refuses to revoke FI A's tokens with FI B's consumer key, and leaves them valid", async () => {
      const { accessToken, refreshToken } = await v2Login(sandbox, 'alice', aliceAtA.password, A);
      // With FI B's institutionId, and without one (the documented revoke sends none).
      for (const headers of [{}, { institutionId: '' }] as Record<string, string>[]) {
        for (const token of [accessToken, refreshToken]) {
          const crossed = await revoke(token, B, headers);
          expect(crossed.status).toBe(400);
          expect(jsonBody(crossed)).toEqual({ code: 'CMN_90013', message: 'invalid token or user' });
        }
      }
      // FI A's own key, but an institutionId of FI B: an FI this app is not enabled for.
      const wrongHeader = await revoke(accessToken, A, { institutionId: B.fiId });
      expect(wrongHeader.status).toBe(401);
      expect(jsonBody(wrongHeader).code).toBe('CMN_90001');
      expect(sandbox.isAccessTokenValid(accessToken)).toBe(true);
      expect((await v2Token({ grant_type: 'refresh_token', refresh_token: refreshToken }, A)).status).toBe(200);

      const own = await v2Login(sandbox, 'alice', aliceAtA.password, A);
      expect((await revoke(own.refreshToken, A)).status).toBe(204);
      expect(sandbox.isAccessTokenValid(own.accessToken)).toBe(false);
    });

    it('keeps one app enabled for two FIs working across both, as the single-app options do', async () => {
      const shared = new CandescentSandbox({ fiIds: ['00042', '00077'] });
      try {
        await shared.start();
        shared.addCustomer({ username: 'dora', password: 'Dora-Pass-1', fiId: '00077' });
        const at77 = { ...shared.credentials, fiId: '00077' };
        const { accessToken, refreshToken } = await v2Login(shared, 'dora', 'Dora-Pass-1', at77);
        const refreshed = await send(`${shared.url}/oauth2/v1/token`, {
          method: 'POST',
          headers: v2Headers(shared, { institutionId: '' }, at77),
          form: { grant_type: 'refresh_token', refresh_token: refreshToken },
        });
        expect(refreshed.status).toBe(200);
        const revoked = await send(`${shared.url}/oauth2/v1/revoke`, {
          method: 'DELETE',
          headers: {
            authorization: basic(shared.credentials.consumerKey, shared.credentials.consumerSecret),
            transactionId: randomUUID(),
          },
          form: { token: accessToken },
        });
        expect(revoked.status).toBe(204);
        expect(shared.isAccessTokenValid(accessToken)).toBe(false);
        expect(shared.isolationViolations()).toEqual([]);
      } finally {
        await shared.stop();
      }
    });
  });
});
