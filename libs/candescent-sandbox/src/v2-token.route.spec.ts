import { randomUUID } from 'node:crypto';
import { CandescentSandbox } from './sandbox';
import { basic, jsonBody, send, v2Headers, v2Login, type HttpResult } from './sandbox-http.test-helper';

describe('V2 POST /oauth2/v1/token', () => {
  const sandbox = new CandescentSandbox({ fiIds: ['00042', '00077'] });
  let tokenUrl: string;

  beforeAll(async () => {
    tokenUrl = `${await sandbox.start()}/oauth2/v1/token`;
    sandbox.addCustomer({ username: 'dora', password: 'Dora-Pass-1', fiId: '00077' });
  });
  afterAll(() => sandbox.stop());

  const token = (form: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResult> => {
    const all = v2Headers(sandbox, headers);
    return send(tokenUrl, {
      method: 'POST',
      headers: Object.fromEntries(Object.entries(all).filter(([, value]) => value !== '')),
      form,
    });
  };
  const alice = { grant_type: 'password', username: 'alice', password: 'Sandbox-Alice-2026!' };

  it('answers the password grant with string lifetimes, a Bearer type and the echoed transactionId', async () => {
    const transactionId = randomUUID();
    const result = await token(alice, { transactionId });
    expect(result.status).toBe(200);
    expect(result.headers.get('transactionid')).toBe(transactionId);
    const body = jsonBody(result);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      token_type: 'Bearer',
      expires_in: '1799',
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      refresh_token_expires_in: '2591999',
      transactionId,
    });
  });

  it('answers client_credentials without a refresh token', async () => {
    const body = jsonBody(await token({ grant_type: 'client_credentials', scopes: 'accounts:read' }));
    expect(body.token_type).toBe('Bearer');
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('refresh_token_expires_in');
  });

  it.each<[string, Record<string, string>, Record<string, string>, number, string]>([
    ['no Basic credentials', {}, { authorization: '' }, 401, 'CMN_90001'],
    ['a wrong consumer secret', {}, { authorization: basic('sandbox-consumer-key', 'wrong') }, 401, 'CMN_90001'],
    ['no transactionId', {}, { transactionId: '' }, 400, 'CMN_90008'],
    ['a transactionId that is not a UUID', {}, { transactionId: '12345' }, 400, 'CMN_90008'],
    ['a JSON content type', {}, { 'content-type': 'application/json' }, 400, 'CMN_90010'],
    ['an unknown grant type', { grant_type: 'authorization_codes' }, {}, 400, 'CMN_90007'],
    ['no institutionId on the password grant', {}, { institutionId: '' }, 400, 'CMN_90005'],
    [
      'no institutionId on client_credentials',
      { grant_type: 'client_credentials' },
      { institutionId: '' },
      400,
      'CMN_90005',
    ],
    ['an institution the app is not enabled for', {}, { institutionId: '00016' }, 401, 'CMN_90001'],
    ['a scope the app does not have', { scopes: 'accounts:read payments:write' }, {}, 400, 'CMN_90011'],
    ['no username', { username: '' }, {}, 400, 'CMN_90012'],
    ['no password', { password: '' }, {}, 400, 'CMN_90012'],
    ['a control character in the username', { username: 'ali\u0007ce' }, {}, 400, 'CMN_90016'],
    ['a zero-width character in the password', { password: 'Sandbox\u200b' }, {}, 400, 'CMN_90016'],
    ['a wrong password', { password: 'nope' }, {}, 401, 'CMN_90015'],
    ['a customer of another FI', { username: 'dora', password: 'Dora-Pass-1' }, {}, 401, 'CMN_90015'],
    ['an unknown refresh token', { grant_type: 'refresh_token', refresh_token: 'bogus' }, {}, 400, 'CMN_90013'],
  ])('refuses %s', async (_case, form, headers, status, code) => {
    const result = await token({ ...alice, ...form }, headers);
    expect(result.status).toBe(status);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    const body = jsonBody(result);
    expect(body.code).toBe(code);
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  });

  it('uses the documented messages', async () => {
    const messages = await Promise.all([
      token(alice, { transactionId: 'x' }),
      token({ grant_type: 'nope' }),
      token(alice, { institutionId: '' }),
      token({ ...alice, scopes: 'root' }),
      token({ ...alice, password: 'nope' }),
      token({ grant_type: 'refresh_token', refresh_token: 'bogus' }),
    ]).then((results) => results.map((result) => jsonBody(result).message));
    expect(messages).toEqual([
      'bad header transactionId',
      'invalid grant type',
      'bad header institutionId',
      'invalid request: scope',
      'invalid user credentials',
      'invalid token or user',
    ]);
  });

  it('rotates refresh tokens: the new one works, the used one is dead at once', async () => {
    const { refreshToken } = await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
    // institutionId is optional for this grant.
    const first = await token({ grant_type: 'refresh_token', refresh_token: refreshToken }, { institutionId: '' });
    expect(first.status).toBe(200);
    const rotated = jsonBody(first);
    expect(rotated.refresh_token).not.toBe(refreshToken);
    expect(rotated.refresh_token_expires_in).toBe('2591999');

    const replay = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(replay.status).toBe(400);
    expect(jsonBody(replay).code).toBe('CMN_90013');

    const next = await token({ grant_type: 'refresh_token', refresh_token: String(rotated.refresh_token) });
    expect(next.status).toBe(200);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const { refreshToken } = await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
    const results = await Promise.all([
      token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 400]);
  });

  it('refuses a refresh token presented for another institution', async () => {
    const { refreshToken } = await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
    const result = await token(
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { institutionId: '00077' },
    );
    expect(result.status).toBe(400);
    expect(jsonBody(result).code).toBe('CMN_90013');
  });

  it('refuses client_credentials with 403 CMN_90006 when the app does not support it', async () => {
    sandbox.configure({ clientCredentialsEnabled: false });
    try {
      const result = await token({ grant_type: 'client_credentials' });
      expect(result.status).toBe(403);
      expect(jsonBody(result)).toEqual({ code: 'CMN_90006', message: 'not authorized to access this resource' });
    } finally {
      sandbox.configure({ clientCredentialsEnabled: true });
    }
  });

  it('reports the configured lifetimes', async () => {
    sandbox.configure({ accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 600 });
    try {
      const body = jsonBody(await token(alice));
      expect([body.expires_in, body.refresh_token_expires_in]).toEqual(['60', '600']);
    } finally {
      sandbox.configure({ accessTokenTtlSeconds: 1799, refreshTokenTtlSeconds: 2591999 });
    }
  });
});
