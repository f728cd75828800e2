import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { DEMO_CUSTOMERS } from './demo-customers';
import { CandescentSandbox } from './sandbox';
import {
  basic,
  jsonBody,
  send,
  v1Login,
  v2Headers,
  v2InstitutionToken,
  v2Login,
  type HttpResult,
} from './sandbox-http.test-helper';

const [alice, bob] = DEMO_CUSTOMERS;

describe('accounts endpoints', () => {
  const sandbox = new CandescentSandbox();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await sandbox.start();
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    sandbox.resetCounters();
  });

  describe('V2 GET /db-accounts/v1/accounts', () => {
    const v2Accounts = (token: string, query = '', headers: Record<string, string> = {}): Promise<HttpResult> =>
      send(`${baseUrl}/db-accounts/v1/accounts${query}`, {
        headers: { authorization: `Bearer ${token}`, transactionId: randomUUID(), ...headers },
      });

    it("returns the token's own customer's accounts and records who read what", async () => {
      const { accessToken } = await v2Login(sandbox, 'alice', alice.password);
      // A query naming another customer must not redirect a customer token.
      const result = await v2Accounts(accessToken, '?loginId=bob');
      expect(result.status).toBe(200);
      expect(jsonBody(result)).toEqual({ accounts: alice.accounts });
      expect(sandbox.accountsCalls()).toEqual([
        {
          service: 'v2',
          status: 200,
          accessToken,
          tokenGrant: 'password',
          tokenFiCustomerId: alice.fiCustomerId,
          loginId: 'bob',
          returnedFiCustomerId: alice.fiCustomerId,
        },
      ]);
    });

    it('looks customers up by loginId or hostUserId with an institution token', async () => {
      const token = await v2InstitutionToken(sandbox);
      expect(jsonBody(await v2Accounts(token, '?loginId=bob'))).toEqual({ accounts: bob.accounts });
      expect(jsonBody(await v2Accounts(token, `?hostUserId=${bob.memberNumber}`))).toEqual({ accounts: bob.accounts });
      // Member numbers are strings: '482913' is not '000482913'.
      expect(jsonBody(await v2Accounts(token, '?hostUserId=482913'))).toEqual({ accounts: [] });
      expect(jsonBody(await v2Accounts(token, '?loginId=nobody'))).toEqual({ accounts: [] });
    });

    it.each([
      ['neither', '', /hostUserId or loginId/],
      ['both', '?loginId=bob&hostUserId=000482913', /not both/],
    ])('refuses an institution token with %s of hostUserId and loginId', async (_case, query, message) => {
      const result = await v2Accounts(await v2InstitutionToken(sandbox), query);
      expect(result.status).toBe(400);
      const body = jsonBody(result);
      expect(body.code).toBe('CMN_90010');
      expect(body.message).toMatch(message);
    });

    it('refuses unknown, revoked and V1 tokens with 401 CMN_90004', async () => {
      const v1 = await v1Login(sandbox, 'alice', alice.password);
      const revoked = await v2Login(sandbox, 'alice', alice.password);
      sandbox.revokeAllTokens();
      for (const token of ['not-a-token', v1.accessToken, revoked.accessToken]) {
        const result = await v2Accounts(token);
        expect(result.status).toBe(401);
        expect(jsonBody(result)).toEqual({ code: 'CMN_90004', message: 'invalid credentials' });
      }
    });

    it('refuses a token without the accounts:read scope with 403 CMN_90006', async () => {
      const issued = await send(`${baseUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: v2Headers(sandbox),
        form: { grant_type: 'client_credentials', scopes: 'transactions:read' },
      });
      const result = await v2Accounts(String(jsonBody(issued).access_token), '?loginId=bob');
      expect(result.status).toBe(403);
      expect(jsonBody(result).code).toBe('CMN_90006');
    });

    it('refuses a missing transactionId with 400 CMN_90008', async () => {
      const { accessToken } = await v2Login(sandbox, 'alice', alice.password);
      const result = await send(`${baseUrl}/db-accounts/v1/accounts`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(result.status).toBe(400);
      expect(jsonBody(result).code).toBe('CMN_90008');
    });
  });

  describe('V1 GET /bankingservices/v2/fis/{di_fiid}/fiCustomers/{di_ficustomer}/accounts', () => {
    const parser = new XMLParser({
      parseTagValue: false,
      isArray: (name) => name === 'account' || name === 'errorInfo',
    });
    const v1Accounts = (
      token: string,
      fiId: string,
      fiCustomerId: string,
      headers: Record<string, string> = {},
    ): Promise<HttpResult> =>
      send(`${baseUrl}/bankingservices/v2/fis/${fiId}/fiCustomers/${fiCustomerId}/accounts`, {
        headers: { authorization: `Bearer ${token}`, di_tid: randomUUID(), ...headers },
      });
    const statusOf = (result: HttpResult): { statusMessage: string; errorInfo: { errorCode: string }[] } =>
      (parser.parse(result.text) as { Status: { statusMessage: string; errorInfo: { errorCode: string }[] } }).Status;

    it('returns XML accounts by default and JSON when asked', async () => {
      const login = await v1Login(sandbox, 'alice', alice.password);
      const xml = await v1Accounts(login.accessToken, '00042', login.fiCustomerId);
      expect(xml.status).toBe(200);
      expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
      expect((parser.parse(xml.text) as { accounts: { account: unknown[] } }).accounts.account).toEqual(alice.accounts);
      const json = await v1Accounts(login.accessToken, '00042', login.fiCustomerId, { accept: 'application/json' });
      expect(jsonBody(json)).toEqual({ accounts: alice.accounts });
      expect(sandbox.accountsCalls()[0]).toMatchObject({
        service: 'v1',
        status: 200,
        requestedFiCustomerId: alice.fiCustomerId,
        returnedFiCustomerId: alice.fiCustomerId,
      });
    });

    it("refuses another customer's path with 401 90001 and records the attempt", async () => {
      const login = await v1Login(sandbox, 'alice', alice.password);
      const result = await v1Accounts(login.accessToken, '00042', bob.fiCustomerId);
      expect(result.status).toBe(401);
      const status = statusOf(result);
      expect(status.statusMessage).toBe('di_ficustomer not authorized');
      expect(status.errorInfo[0].errorCode).toBe('90001');
      expect(sandbox.accountsCalls()).toEqual([
        expect.objectContaining({
          status: 401,
          tokenFiCustomerId: alice.fiCustomerId,
          requestedFiCustomerId: bob.fiCustomerId,
        }),
      ]);
      expect(sandbox.accountsCalls()[0]).not.toHaveProperty('returnedFiCustomerId');
    });

    it("refuses another FI's path with 401 90001", async () => {
      const login = await v1Login(sandbox, 'alice', alice.password);
      const result = await v1Accounts(login.accessToken, '42', login.fiCustomerId);
      expect(result.status).toBe(401);
      expect(statusOf(result).errorInfo[0].errorCode).toBe('90001');
      expect(statusOf(result).statusMessage).toBe('di_fiid not authorized');
    });

    it('refuses V2 and institution tokens with 401 login credentials are not valid', async () => {
      const v2 = await v2Login(sandbox, 'alice', alice.password);
      const institution = await send(`${baseUrl}/v1/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: basic('sandbox-consumer-key', 'sandbox-consumer-secret'),
          di_tid: randomUUID(),
          di_fiid: '00042',
          accept: 'application/json',
        },
        form: { grant_type: 'client_credentials' },
      });
      for (const token of [v2.accessToken, String(jsonBody(institution).access_token)]) {
        const result = await v1Accounts(token, '00042', alice.fiCustomerId, { accept: 'application/json' });
        expect(result.status).toBe(401);
        expect(jsonBody(result)).toMatchObject({ statusMessage: 'login credentials are not valid' });
      }
    });

    it("refuses a di_tid that is not a lowercase UUID with 400 Header 'di_tid' invalid", async () => {
      const login = await v1Login(sandbox, 'alice', alice.password);
      const result = await v1Accounts(login.accessToken, '00042', login.fiCustomerId, {
        di_tid: randomUUID().toUpperCase(),
      });
      expect(result.status).toBe(400);
      expect(statusOf(result).statusMessage).toBe("Header 'di_tid' invalid");
    });
  });
});
