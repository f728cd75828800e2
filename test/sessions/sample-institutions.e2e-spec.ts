import {
  type CandescentSandbox,
  DEMO_CUSTOMERS,
  DEMO_INSTITUTIONS,
  SECOND_FI_DEMO_CREDENTIALS,
  SECOND_FI_DEMO_CUSTOMERS,
  type SandboxCustomer,
} from '@candescent/sandbox';
import { createSampleApp } from '../../apps/sample/src/create-sample-app';
import {
  type AccountsBody,
  accountIds,
  type Client,
  type ErrorBody,
  idsIn,
  type LoginBody,
  type Reply,
  type RunningSample,
  sampleEnvFor,
  startSample,
} from '../support/app-testing';
import { startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const [northAlice] = DEMO_CUSTOMERS;
const [harborAlice, frank] = SECOND_FI_DEMO_CUSTOMERS;

interface MeBody {
  institution: string;
  fiId: string;
  loginId: string;
  fiCustomerId: string | null;
}

/** `POST /auth/login`, naming an institution when given. */
function loginAt(
  client: Client,
  customer: Pick<SandboxCustomer, 'username' | 'password'>,
  institution?: string,
): Promise<Reply> {
  const body = { username: customer.username, password: customer.password, ...(institution ? { institution } : {}) };
  return client.call('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function sessionAt(
  client: Client,
  customer: Pick<SandboxCustomer, 'username' | 'password'>,
  institution?: string,
): Promise<string> {
  const reply = await loginAt(client, customer, institution);
  expect({ status: reply.status, institution }).toEqual({ status: 200, institution });
  const token = reply.json<LoginBody>().sessionToken;
  if (token === undefined) throw new Error('login answered no sessionToken');
  return token;
}

/** The access token of the last accounts call the sandbox answered. */
function lastAccountsToken(sandbox: CandescentSandbox): string {
  const calls = sandbox.accountsCalls();
  const token = calls[calls.length - 1]?.accessToken;
  if (!token) throw new Error('no accounts call was recorded');
  return token;
}

describe('the sample serving two FIs on its embedded sandbox', () => {
  let sample: RunningSample;
  let sandbox: CandescentSandbox;

  beforeAll(async () => {
    sample = await startSample({ LOGIN_RATE_LIMIT: '1000' });
    sandbox = sample.sandbox;
  });
  afterAll(() => sample.close());

  it('starts one sandbox with both demo FIs and lists them, the first as the default', async () => {
    expect(sandbox.institutions.map((institution) => institution.fiId)).toEqual(['00042', '00043']);
    const reply = await sample.client.get('/institutions');
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({
      defaultInstitution: 'cu-north',
      institutions: [
        { id: 'cu-north', fiId: '00042' },
        { id: 'cu-harbor', fiId: '00043' },
      ],
    });
    // Ids and FI ids only: no gateway, key or secret.
    expect(reply.text).not.toContain(SECOND_FI_DEMO_CREDENTIALS.consumerKey);
    expect(reply.text).not.toContain(sandbox.url);
  });

  it('keeps alice of one FI apart from alice of the other: login, /me and /accounts', async () => {
    const atNorth = await sessionAt(sample.client, northAlice); // no institution: the default
    const atHarbor = await sessionAt(sample.client, harborAlice, 'cu-harbor');
    const explicitNorth = await sessionAt(sample.client, northAlice, 'cu-north');

    const me = async (handle: string) => (await sample.client.get('/me', handle)).json<MeBody>();
    expect(await me(atNorth)).toMatchObject({ institution: 'cu-north', fiId: '00042', loginId: 'alice' });
    expect(await me(explicitNorth)).toMatchObject({ institution: 'cu-north', fiId: '00042' });
    expect(await me(atHarbor)).toMatchObject({ institution: 'cu-harbor', fiId: '00043', loginId: 'alice' });

    const accounts = async (handle: string) => {
      const reply = await sample.client.get('/accounts', handle);
      expect(reply.status).toBe(200);
      return idsIn(reply.json<AccountsBody>());
    };
    expect(await accounts(atNorth)).toEqual(accountIds(northAlice));
    expect(await accounts(explicitNorth)).toEqual(accountIds(northAlice));
    expect(await accounts(atHarbor)).toEqual(accountIds(harborAlice));
    expect(accountIds(northAlice)).not.toEqual(accountIds(harborAlice));
    // Each customer token went to its own FI's accounts endpoint, named with its own FI id.
    const v2Accounts = sandbox.requests().filter((request) => request.route === 'v2-accounts');
    expect(v2Accounts.map((request) => request.institutions.tokenFiId)).toEqual(['00042', '00042', '00043']);
  });

  it('logs a customer of the second FI in at that FI only', async () => {
    const harborFrank = await sessionAt(sample.client, frank, 'cu-harbor');
    expect((await sample.client.get('/me', harborFrank)).json<MeBody>()).toMatchObject({
      institution: 'cu-harbor',
      fiId: '00043',
      loginId: 'frank',
    });
    // frank exists at FI 00043 only: at the default FI the same credentials are refused.
    expect((await loginAt(sample.client, frank)).status).toBe(401);
  });

  it("answers /institution/accounts and /institution/status with the named FI's institution token", async () => {
    const before = sandbox.requests().length;
    const accounts = async (query: string) => {
      const reply = await sample.client.get(`/institution/accounts?loginId=alice${query}`);
      expect(reply.status).toBe(200);
      return reply.json<AccountsBody & { institution: string }>();
    };
    const byDefault = await accounts('');
    expect(byDefault.institution).toBe('cu-north');
    expect(idsIn(byDefault)).toEqual(accountIds(northAlice));
    const north = await accounts('&institution=cu-north');
    expect(idsIn(north)).toEqual(accountIds(northAlice));
    const harbor = await accounts('&institution=cu-harbor');
    expect(harbor.institution).toBe('cu-harbor');
    expect(idsIn(harbor)).toEqual(accountIds(harborAlice));
    const calls = sandbox
      .requests()
      .slice(before)
      .filter((request) => request.route === 'v2-accounts');
    expect(calls.map((request) => [request.institutions.tokenFiId, request.institutions.headerFiId])).toEqual([
      ['00042', '00042'],
      ['00042', '00042'],
      ['00043', '00043'],
    ]);
    expect(calls.every((request) => request.status === 200)).toBe(true);

    const status = await sample.client.get('/institution/status?institution=cu-harbor');
    expect(status.status).toBe(200);
    expect(status.json()).toMatchObject({ institution: 'cu-harbor', held: true, service: 'v2' });
    expect((await sample.client.get('/institution/status')).json()).toMatchObject({ institution: 'cu-north' });
  });

  it('refuses an institution it does not serve with 400 UNKNOWN_INSTITUTION, before any request to Candescent', async () => {
    const tokenRequests = sandbox.counters().tokenRequests;
    const seen = sandbox.requests().length;
    const login = await loginAt(sample.client, northAlice, 'cu-nowhere');
    expect(login.status).toBe(400);
    expect(login.json<ErrorBody>()).toMatchObject({ errorCode: 'UNKNOWN_INSTITUTION' });
    expect(login.text).not.toContain(northAlice.password);
    expect(login.text).not.toContain('cu-nowhere');
    for (const path of [
      '/institution/accounts?loginId=alice&institution=cu-nowhere',
      '/institution/status?institution=cu-nowhere',
    ]) {
      const reply = await sample.client.get(path);
      expect({ path, status: reply.status, errorCode: reply.json<ErrorBody>().errorCode }).toEqual({
        path,
        status: 400,
        errorCode: 'UNKNOWN_INSTITUTION',
      });
    }
    expect(sandbox.counters().tokenRequests).toBe(tokenRequests);
    expect(sandbox.requests()).toHaveLength(seen);
    // A malformed name is refused by validation, naming the field.
    const twice = await sample.client.get('/institution/status?institution=cu-north&institution=cu-harbor');
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('institution must be given once');
  });

  it('logs out at one FI and revokes only there', async () => {
    const atNorth = await sessionAt(sample.client, northAlice, 'cu-north');
    const atHarbor = await sessionAt(sample.client, harborAlice, 'cu-harbor');
    expect((await sample.client.get('/accounts', atNorth)).status).toBe(200);
    const northToken = lastAccountsToken(sandbox);
    expect((await sample.client.get('/accounts', atHarbor)).status).toBe(200);
    const harborToken = lastAccountsToken(sandbox);
    expect(northToken).not.toBe(harborToken);
    const revokesBefore = sandbox.requests().filter((request) => request.route === 'v2-revoke').length;

    const logout = await sample.client.call('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${atNorth}` },
    });
    expect(logout.status).toBe(204);
    await waitFor(() => !sandbox.isAccessTokenValid(northToken), 5_000, "the north session's token revoked");

    expect(sandbox.isAccessTokenValid(harborToken)).toBe(true);
    expect((await sample.client.get('/me', atNorth)).status).toBe(401);
    expect((await sample.client.get('/me', atHarbor)).json<MeBody>()).toMatchObject({ institution: 'cu-harbor' });
    const accounts = await sample.client.get('/accounts', atHarbor);
    expect(idsIn(accounts.json<AccountsBody>())).toEqual(accountIds(harborAlice));
    const revokes = sandbox
      .requests()
      .filter((request) => request.route === 'v2-revoke')
      .slice(revokesBefore);
    expect(revokes.length).toBeGreaterThan(0);
    // Revoked with FI 00042's app credentials, and only tokens of FI 00042.
    for (const revoke of revokes) {
      expect(revoke.institutions.consumerKeyFiIds).toEqual(['00042']);
      expect(revoke.institutions.tokenFiId).toBe('00042');
    }
  });

  it('never mixed the two FIs up in any request the sandbox received', () => {
    expect(sandbox.requests().length).toBeGreaterThan(10);
    expect(sandbox.isolationViolations()).toEqual([]);
  });
});

describe('the per-username login limit of the sample with two FIs', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample({ LOGIN_RATE_LIMIT: '100', LOGIN_USERNAME_RATE_LIMIT: '2' });
  });
  afterAll(() => sample.close());

  it("counts a username per institution: alice's failures at one FI do not lock out alice at the other", async () => {
    const wrong = { username: 'alice', password: 'Not-Her-Password-1!' };
    expect((await loginAt(sample.client, wrong, 'cu-harbor')).status).toBe(401);
    expect((await loginAt(sample.client, wrong, 'cu-harbor')).status).toBe(401);
    expect((await loginAt(sample.client, harborAlice, 'cu-harbor')).status).toBe(429);
    // The default institution, named or not, is one count of its own.
    expect((await loginAt(sample.client, northAlice)).status).toBe(200);
    expect((await loginAt(sample.client, northAlice, 'cu-north')).status).toBe(200);
    expect((await loginAt(sample.client, northAlice)).status).toBe(429);
  });
});

describe('CANDESCENT_INSTITUTIONS', () => {
  let sandbox: CandescentSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ institutions: DEMO_INSTITUTIONS });
  });
  afterAll(() => sandbox.stop());

  const entries = () =>
    sandbox.institutions.map((institution, index) => ({
      id: index === 0 ? 'north' : 'harbor',
      fiId: institution.fiId,
      baseUrl: sandbox.url,
      consumerKey: institution.consumerKey,
      consumerSecret: institution.consumerSecret,
      // The second FI logs customers in with V1, as CANDESCENT_LOGIN_SERVICE would for all.
      ...(index === 1 ? { loginService: 'v1' } : {}),
    }));

  it('configures the FIs, the first the default, each with its own login service', async () => {
    sandbox.resetCounters();
    const sample = await startSample({ CANDESCENT_INSTITUTIONS: JSON.stringify(entries()) }, { external: sandbox });
    try {
      expect((await sample.client.get('/institutions')).json()).toMatchObject({ defaultInstitution: 'north' });
      const north = await sessionAt(sample.client, northAlice);
      const harbor = await sessionAt(sample.client, harborAlice, 'harbor');
      expect((await sample.client.get('/me', north)).json<MeBody>()).toMatchObject({
        institution: 'north',
        fiId: '00042',
        fiCustomerId: null,
      });
      // V1 at the second FI: the customer id comes from the V1 token response.
      expect((await sample.client.get('/me', harbor)).json<MeBody>()).toMatchObject({
        institution: 'harbor',
        fiId: '00043',
        fiCustomerId: harborAlice.fiCustomerId,
      });
      const harborAccounts = (await sample.client.get('/accounts', harbor)).json<AccountsBody>();
      expect(harborAccounts.service).toBe('v1');
      expect(idsIn(harborAccounts)).toEqual(accountIds(harborAlice));
      expect(idsIn((await sample.client.get('/accounts', north)).json<AccountsBody>())).toEqual(accountIds(northAlice));
      expect(sandbox.counters().v1Token).toBe(1);
      expect((await loginAt(sample.client, northAlice, 'cu-north')).json<ErrorBody>().errorCode).toBe(
        'UNKNOWN_INSTITUTION',
      );
      expect(sandbox.isolationViolations()).toEqual([]);
    } finally {
      await sample.close();
    }
  });

  it('is refused at start-up with every problem listed and no value repeated', async () => {
    const [first, second] = entries();
    const bad = [
      { ...first, fiId: 42, consumerKey: undefined, consumerkey: first.consumerKey },
      { ...second, id: 'north', baseUrl: 'not a url', tokenServices: ['v3'] },
    ];
    const started = createSampleApp({ CANDESCENT_INSTITUTIONS: JSON.stringify(bad) }, { logger: false });
    await expect(started).rejects.toThrow(/Invalid sample app environment/);
    const message = await started.catch((error: unknown) => (error as Error).message);
    for (const expected of [
      'CANDESCENT_INSTITUTIONS[0].fiId: required: the FI id as a JSON string',
      'CANDESCENT_INSTITUTIONS[0].consumerKey: required',
      'CANDESCENT_INSTITUTIONS[0]: "consumerkey" is not a known field',
      'CANDESCENT_INSTITUTIONS[1].id: already the id of CANDESCENT_INSTITUTIONS[0]',
      'CANDESCENT_INSTITUTIONS[1].baseUrl',
      'CANDESCENT_INSTITUTIONS[1].tokenServices: ["v1"], ["v2"] or ["v1", "v2"]',
      'CANDESCENT_INSTITUTIONS[1]: give tokenServices or loginService, not both',
    ])
      expect(message).toContain(expected);
    for (const secret of [first.consumerKey, first.consumerSecret, second.consumerSecret, 'not a url'])
      expect(message).not.toContain(secret);
  });

  it('is refused together with the single-FI variables, and as JSON that does not parse, without echoing it', async () => {
    const single = createSampleApp(
      { ...sampleEnvFor(sandbox), CANDESCENT_INSTITUTIONS: JSON.stringify(entries()) },
      { logger: false },
    );
    await expect(single).rejects.toThrow(
      'CANDESCENT_INSTITUTIONS: set it or CANDESCENT_BASE_URL, CANDESCENT_CONSUMER_KEY, CANDESCENT_CONSUMER_SECRET, CANDESCENT_FIID, not both',
    );
    const broken = `[{"id":"north","consumerSecret":"${sandbox.credentials.consumerSecret}"`;
    const parsed = createSampleApp({ CANDESCENT_INSTITUTIONS: broken }, { logger: false });
    const message = await parsed.then(
      () => 'started',
      (error: unknown) => (error as Error).message,
    );
    expect(message).toContain('CANDESCENT_INSTITUTIONS: not valid JSON');
    expect(message).not.toContain(sandbox.credentials.consumerSecret);
    for (const empty of ['[]', '{}'])
      await expect(createSampleApp({ CANDESCENT_INSTITUTIONS: empty }, { logger: false })).rejects.toThrow(
        'CANDESCENT_INSTITUTIONS: expected a JSON array of one or more institutions',
      );
  });

  it('is not needed for one FI: the single-FI variables still serve it as the institution "default"', async () => {
    const sample = await startSample(sampleEnvFor(sandbox), { external: sandbox });
    try {
      const handle = await sessionAt(sample.client, northAlice);
      expect((await sample.client.get('/me', handle)).json<MeBody>()).toMatchObject({
        institution: 'default',
        fiId: '00042',
      });
      expect((await sample.client.get('/institutions')).json()).toEqual({
        defaultInstitution: 'default',
        institutions: [{ id: 'default', fiId: '00042' }],
      });
      expect((await loginAt(sample.client, harborAlice, 'cu-harbor')).status).toBe(400);
    } finally {
      await sample.close();
    }
  });
});
