import { createHash, randomUUID } from 'node:crypto';
import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from './demo-customers';
import { DEMO_INSTITUTIONS, SECOND_FI_DEMO_CREDENTIALS } from './demo-institutions';
import { CandescentSandbox } from './sandbox';
import { DEFAULT_SANDBOX_CREDENTIALS, type SandboxCredentials } from './sandbox.options';
import {
  basic,
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
const [aliceAtA] = DEMO_CUSTOMERS;
const [aliceAtB] = SECOND_FI_DEMO_CUSTOMERS;

describe('CandescentSandbox isolation records', () => {
  const sandbox = new CandescentSandbox({ institutions: DEMO_INSTITUTIONS });
  let baseUrl: string;
  const secrets = new Set<string>([A.consumerKey, A.consumerSecret, B.consumerKey, B.consumerSecret]);

  beforeAll(async () => {
    baseUrl = await sandbox.start();
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    sandbox.resetCounters();
  });

  const v2Accounts = (token: string, fiId: string, query = ''): Promise<HttpResult> =>
    send(`${baseUrl}/db-accounts/v1/accounts${query}`, {
      headers: { authorization: `Bearer ${token}`, transactionId: randomUUID(), institutionId: fiId },
    });
  const v1Accounts = (token: string, pathFiId: string, fiCustomerId: string, headerFiId = pathFiId) =>
    send(`${baseUrl}/bankingservices/v2/fis/${pathFiId}/fiCustomers/${fiCustomerId}/accounts`, {
      headers: { authorization: `Bearer ${token}`, di_tid: randomUUID(), di_fiid: headerFiId },
    });
  const refresh = (refreshToken: string, as: SandboxCredentials) =>
    send(`${baseUrl}/oauth2/v1/token`, {
      method: 'POST',
      headers: v2Headers(sandbox, {}, as),
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
  const revoke = (token: string, as: SandboxCredentials) =>
    send(`${baseUrl}/oauth2/v1/revoke`, { method: 'DELETE', headers: v2Headers(sandbox, {}, as), form: { token } });
  const remember = (...values: string[]): void => {
    for (const value of values) secrets.add(value);
  };
  const expectNoSecretIn = (value: unknown): void => {
    const text = JSON.stringify(value);
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('finds nothing when every request of two FIs carries only its own token, FI id and consumer key', async () => {
    for (const [as, customer] of [
      [A, aliceAtA],
      [B, aliceAtB],
    ] as const) {
      const v2 = await v2Login(sandbox, customer.username, customer.password, as);
      const v1 = await v1Login(sandbox, customer.username, customer.password, as);
      const institution = await v2InstitutionToken(sandbox, as);
      remember(v2.accessToken, v2.refreshToken, v1.accessToken, institution);
      expect((await v2Accounts(v2.accessToken, as.fiId)).status).toBe(200);
      expect((await v2Accounts(institution, as.fiId, '?loginId=alice')).status).toBe(200);
      expect((await v1Accounts(v1.accessToken, as.fiId, v1.fiCustomerId)).status).toBe(200);
      expect((await refresh(v2.refreshToken, as)).status).toBe(200);
      expect((await revoke(v2.accessToken, as)).status).toBe(204);
    }
    expect(sandbox.requests()).toHaveLength(16);
    expect(sandbox.isolationViolations()).toEqual([]);

    const accountsAtB = sandbox.requests().filter((r) => r.route === 'v2-accounts')[2];
    expect(accountsAtB.institutions).toEqual({
      headerFiId: '00043',
      tokenFiId: '00043',
      tokenSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    const refreshAtB = sandbox
      .requests()
      .filter((r) => r.route === 'v2-token' && r.form.grant_type === 'refresh_token')[1];
    expect(refreshAtB.institutions).toEqual({
      headerFiId: '00043',
      consumerKeyFiIds: ['00043'],
      consumerSecretFiIds: ['00043'],
      tokenFiId: '00043',
      tokenSha256: createHash('sha256').update(refreshAtB.form.refresh_token).digest('hex'),
    });
    expectNoSecretIn(sandbox.requests().map((request) => request.institutions));
  });

  it('lists each crossed request with its reasons, refused or not, and never a token or secret', async () => {
    const atA = await v2Login(sandbox, 'alice', aliceAtA.password, A);
    const v1AtA = await v1Login(sandbox, 'alice', aliceAtA.password, A);
    const spare = await v2Login(sandbox, 'alice', aliceAtA.password, A);
    remember(atA.accessToken, atA.refreshToken, v1AtA.accessToken, spare.accessToken, spare.refreshToken);
    const clean = sandbox.requests().length;

    await v2Accounts(atA.accessToken, B.fiId); // 1: A's token with B's institutionId
    await v1Accounts(v1AtA.accessToken, A.fiId, v1AtA.fiCustomerId, B.fiId); // 2: A's path and token, B's di_fiid
    await refresh(spare.refreshToken, B); // 3: A's refresh token with B's key and institutionId
    await revoke(atA.accessToken, B); // 4: A's token revoked with B's key
    await send(`${baseUrl}/oauth2/v1/token`, {
      method: 'POST',
      headers: v2Headers(sandbox, { authorization: basic(A.consumerKey, B.consumerSecret) }, A),
      form: { grant_type: 'client_credentials' },
    }); // 5: A's key with B's secret
    await send(`${baseUrl}/v1/oauth/token`, {
      method: 'POST',
      headers: v1Headers(sandbox, { di_fiid: A.fiId }, B),
      form: { grant_type: 'client_credentials' },
    }); // 6: B's credentials asking for FI A

    const violations = sandbox.isolationViolations();
    expect(violations.map((v) => [v.index - clean, v.route, v.status, v.reasons])).toEqual([
      [0, 'v2-accounts', 401, ['header names FI 00043 but token names FI 00042']],
      [
        1,
        'v1-accounts',
        401,
        ['header names FI 00043 but path names FI 00042', 'header names FI 00043 but token names FI 00042'],
      ],
      [
        2,
        'v2-token',
        400,
        [
          'header names FI 00043 but token names FI 00042',
          "consumer key of FI 00043 sent with the token's FI 00042",
          "consumer secret of FI 00043 sent with the token's FI 00042",
        ],
      ],
      [
        3,
        'v2-revoke',
        400,
        [
          'header names FI 00043 but token names FI 00042',
          "consumer key of FI 00043 sent with the token's FI 00042",
          "consumer secret of FI 00043 sent with the token's FI 00042",
        ],
      ],
      [
        4,
        'v2-token',
        401,
        [
          "consumer secret of FI 00043 sent with the header's FI 00042",
          'consumer key of FI 00042 sent with the consumer secret of FI 00043',
        ],
      ],
      [
        5,
        'v1-token',
        401,
        [
          "consumer key of FI 00043 sent with the header's FI 00042",
          "consumer secret of FI 00043 sent with the header's FI 00042",
        ],
      ],
    ]);
    expect(violations[0]).toEqual({
      index: clean,
      route: 'v2-accounts',
      method: 'GET',
      path: '/db-accounts/v1/accounts',
      status: 401,
      at: expect.any(Number) as unknown,
      institutions: {
        headerFiId: '00043',
        tokenFiId: '00042',
        tokenSha256: createHash('sha256').update(atA.accessToken).digest('hex'),
      },
      reasons: ['header names FI 00043 but token names FI 00042'],
    });
    expectNoSecretIn(violations);
  });

  it('leaves out unknown tokens and credentials no app has: bad requests, not crossed ones', async () => {
    await v2Accounts('not-a-token', B.fiId);
    await send(`${baseUrl}/oauth2/v1/token`, {
      method: 'POST',
      headers: v2Headers(sandbox, { authorization: basic('nobody', 'nothing') }, B),
      form: { grant_type: 'client_credentials' },
    });
    expect(sandbox.requests().map((request) => request.institutions)).toEqual([
      { headerFiId: '00043', tokenSha256: createHash('sha256').update('not-a-token').digest('hex') },
      { headerFiId: '00043', consumerKeyFiIds: [], consumerSecretFiIds: [] },
    ]);
    expect(sandbox.isolationViolations()).toEqual([]);
  });

  it('forgets violations on resetCounters()', async () => {
    const { accessToken } = await v2Login(sandbox, 'alice', aliceAtA.password, A);
    await v2Accounts(accessToken, B.fiId);
    expect(sandbox.isolationViolations()).toHaveLength(1);
    sandbox.resetCounters();
    expect(sandbox.isolationViolations()).toEqual([]);
  });
});
