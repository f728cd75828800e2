import { CandescentSandbox } from './sandbox';
import { basic, jsonBody, send, v1Login, v2Headers, v2Login, type HttpResult } from './sandbox-http.test-helper';

describe('V2 DELETE /oauth2/v1/revoke', () => {
  const sandbox = new CandescentSandbox();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await sandbox.start();
  });
  afterAll(() => sandbox.stop());

  const revoke = (form: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResult> =>
    send(`${baseUrl}/oauth2/v1/revoke`, { method: 'DELETE', headers: v2Headers(sandbox, headers), form });
  const refresh = (refreshToken: string): Promise<HttpResult> =>
    send(`${baseUrl}/oauth2/v1/token`, {
      method: 'POST',
      headers: v2Headers(sandbox),
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });

  it('revokes an access token alone: 204, the token is dead, its refresh token still works', async () => {
    const { accessToken, refreshToken } = await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
    const result = await revoke({ token: accessToken });
    expect(result.status).toBe(204);
    expect(result.text).toBe('');
    expect(sandbox.isAccessTokenValid(accessToken)).toBe(false);
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('revokes a refresh token with every access token of its chain, before and after rotation', async () => {
    const login = await v2Login(sandbox, 'bob', 'Sandbox-Bob-2026!');
    const rotated = jsonBody(await refresh(login.refreshToken));
    const other = await v2Login(sandbox, 'bob', 'Sandbox-Bob-2026!');

    expect((await revoke({ token: String(rotated.refresh_token) })).status).toBe(204);

    expect(sandbox.isAccessTokenValid(login.accessToken)).toBe(false);
    expect(sandbox.isAccessTokenValid(String(rotated.access_token))).toBe(false);
    const again = await refresh(String(rotated.refresh_token));
    expect(jsonBody(again).code).toBe('CMN_90013');
    // Another login of the same customer is another chain and survives.
    expect(sandbox.isAccessTokenValid(other.accessToken)).toBe(true);
  });

  it('answers 204 for a token it never issued', async () => {
    expect((await revoke({ token: 'never-issued' })).status).toBe(204);
  });

  it('leaves V1 tokens alone', async () => {
    const v1 = await v1Login(sandbox, 'carol', 'Sandbox-Carol-2026!');
    expect((await revoke({ token: v1.accessToken })).status).toBe(204);
    expect(sandbox.isAccessTokenValid(v1.accessToken)).toBe(true);
  });

  it.each<[string, Record<string, string>, Record<string, string>, number, string]>([
    ['no token', {}, {}, 400, 'CMN_90010'],
    ['an empty token', { token: '' }, {}, 400, 'CMN_90010'],
    ['wrong Basic credentials', { token: 'x' }, { authorization: basic('someone', 'else') }, 401, 'CMN_90001'],
    ['a bad transactionId', { token: 'x' }, { transactionId: 'nope' }, 400, 'CMN_90008'],
  ])('refuses %s', async (_case, form, headers, status, code) => {
    const result = await revoke(form, headers);
    expect(result.status).toBe(status);
    expect(jsonBody(result).code).toBe(code);
  });

  it('refuses a body that is not form-urlencoded', async () => {
    const result = await send(`${baseUrl}/oauth2/v1/revoke`, {
      method: 'DELETE',
      headers: { ...v2Headers(sandbox), 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x' }),
    });
    expect(result.status).toBe(400);
    expect(jsonBody(result).code).toBe('CMN_90010');
  });

  it('answers 405 to POST', async () => {
    const result = await send(`${baseUrl}/oauth2/v1/revoke`, {
      method: 'POST',
      headers: v2Headers(sandbox),
      form: { token: 'x' },
    });
    expect(result.status).toBe(405);
    expect(result.headers.get('allow')).toBe('DELETE');
  });
});
