import { XMLParser } from 'fast-xml-parser';
import { CandescentSandbox } from './sandbox';
import { basic, jsonBody, send, v1Headers, type HttpResult } from './sandbox-http.test-helper';

// parseTagValue off: the spec must see exactly the text the sandbox wrote, never a number.
const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: false,
  isArray: (name) => name === 'errorInfo',
});

interface ParsedStatus {
  '@_xmlns': string;
  statusMessage: string;
  errorInfo: { errorType: string; errorCode: string; errorMessage: string }[];
}

function xmlDoc(result: HttpResult): Record<string, unknown> {
  expect(result.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
  return parser.parse(result.text) as Record<string, unknown>;
}

function v1Status(result: HttpResult): ParsedStatus {
  expect(result.headers.get('content-type')).toMatch(/^application\/xml/);
  return xmlDoc(result).Status as ParsedStatus;
}

describe('V1 POST /v1/oauth/token', () => {
  const sandbox = new CandescentSandbox({ fiIds: ['00042', '00077'] });
  let tokenUrl: string;

  beforeAll(async () => {
    tokenUrl = `${await sandbox.start()}/v1/oauth/token`;
    sandbox.addCustomer({ username: 'dora', password: 'Dora-Pass-1', fiId: '00077', memberNumber: '0007<&>"1' });
  });
  afterAll(() => sandbox.stop());

  const login = (headers: Record<string, string> = {}, form: Record<string, string> = {}): Promise<HttpResult> =>
    send(tokenUrl, {
      method: 'POST',
      headers: v1Headers(sandbox, headers),
      form: { grant_type: 'password', username: 'alice', password: 'Sandbox-Alice-2026!', ...form },
    });

  it('answers the password grant with an XML <token> whose values are all text, leading zeros kept', async () => {
    const result = await login();
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(result.headers.get('cache-control')).toBe('no-store');
    const token = xmlDoc(result).token as Record<string, string>;
    expect(Object.keys(token).sort()).toEqual(
      [
        'access_token',
        'di_fiid',
        'di_ficustomer',
        'di_member_number',
        'expires_in',
        'refresh_token',
        'refresh_token_expires_in',
      ].sort(),
    );
    expect(token.di_fiid).toBe('00042');
    expect(token.di_ficustomer).toBe('0c1f5e9a7b3d4e2f8a6b9c0d1e2f3a4b');
    expect(token.di_member_number).toBe('100200300');
    expect(token.expires_in).toBe('1799');
    expect(token.refresh_token_expires_in).toBe('2591999');
    // Opaque base64url of 32 random bytes, not a JWT.
    expect(token.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token.refresh_token).not.toBe(token.access_token);
    expect(sandbox.isAccessTokenValid(token.access_token)).toBe(true);
  });

  it('answers JSON with string values when Accept asks for it', async () => {
    const result = await login({ accept: 'application/json' });
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    const body = jsonBody(result);
    expect(body).toMatchObject({ di_fiid: '00042', di_member_number: '100200300', expires_in: '1799' });
    expect(Object.values(body).every((value) => typeof value === 'string')).toBe(true);
    expect(body).not.toHaveProperty('token_type');
  });

  it('gives only access_token, expires_in and di_fiid for client_credentials', async () => {
    const result = await send(tokenUrl, {
      method: 'POST',
      headers: v1Headers(sandbox),
      form: { grant_type: 'client_credentials' },
    });
    expect(result.status).toBe(200);
    expect(Object.keys(xmlDoc(result).token as object).sort()).toEqual(['access_token', 'di_fiid', 'expires_in']);
  });

  it('escapes XML special characters in values', async () => {
    const result = await login({ di_fiid: '00077' }, { username: 'dora', password: 'Dora-Pass-1' });
    expect(result.text).toContain('0007&lt;&amp;&gt;&quot;1');
    expect((xmlDoc(result).token as Record<string, string>).di_member_number).toBe('0007<&>"1');
  });

  it.each<[string, Record<string, string>, Record<string, string>, number, string, string]>([
    ['di_tid missing', { di_tid: '' }, {}, 400, '90002', "Header 'di_tid' invalid"],
    [
      'di_tid not lowercase',
      { di_tid: 'A1B2C3D4-0000-4000-8000-00000000000F' },
      {},
      400,
      '90002',
      "Header 'di_tid' invalid",
    ],
    ['di_tid not a UUID', { di_tid: 'trace-1' }, {}, 400, '90002', "Header 'di_tid' invalid"],
    ['di_fiid missing', { di_fiid: '' }, {}, 400, '90002', "Header 'di_fiid' invalid"],
    ['di_fiid not enabled', { di_fiid: '00016' }, {}, 401, '90001', 'di_fiid not authorized'],
    ['di_fiid without its leading zeros', { di_fiid: '42' }, {}, 401, '90001', 'di_fiid not authorized'],
    ['a JSON content type', { 'content-type': 'application/json' }, {}, 400, '90002', 'Header invalid'],
    [
      'a malformed originating_ip',
      { originating_ip: '300.1.2.3' },
      {},
      400,
      '90002',
      "Header 'originating_ip' invalid",
    ],
    ['a control character in a header', { offering_id: 'app\tname' }, {}, 400, '90002', 'Header invalid'],
    ['grant_type refresh_token', {}, { grant_type: 'refresh_token' }, 400, '90002', "Form param 'grant_type' invalid"],
    ['an unknown grant_type', {}, { grant_type: 'magic' }, 400, '90002', "Form param 'grant_type' invalid"],
    ['no username', {}, { username: '' }, 400, '90002', "Form param 'username' invalid"],
    ['no password', {}, { password: '' }, 400, '90002', "Form param 'password' invalid"],
    ['a wrong password', {}, { password: 'nope' }, 401, '90001', 'login credentials are not valid'],
    [
      'a customer of another FI',
      {},
      { username: 'dora', password: 'Dora-Pass-1' },
      401,
      '90001',
      'login credentials are not valid',
    ],
  ])('refuses %s', async (_case, headers, form, status, code, message) => {
    const trimmed = Object.fromEntries(Object.entries(v1Headers(sandbox, headers)).filter(([, v]) => v !== ''));
    const result = await send(tokenUrl, {
      method: 'POST',
      headers: trimmed,
      form: { grant_type: 'password', username: 'alice', password: 'Sandbox-Alice-2026!', ...form },
    });
    expect(result.status).toBe(status);
    const statusDoc = v1Status(result);
    expect(statusDoc.statusMessage).toBe(message);
    expect(statusDoc.errorInfo[0]).toMatchObject({ errorCode: code, errorMessage: message });
  });

  it('accepts a well-formed IPv6 originating_ip', async () => {
    expect((await login({ originating_ip: '2001:db8::1' })).status).toBe(200);
  });

  it.each([
    ['no Authorization', {}],
    ['a wrong secret', { authorization: basic(sandbox.credentials.consumerKey, 'wrong') }],
  ])('answers %s with the gateway fault, not a Status document', async (_case, headers) => {
    const all: Record<string, string> = { ...v1Headers(sandbox), ...headers };
    if (!('authorization' in headers)) delete all.authorization;
    const result = await send(tokenUrl, { method: 'POST', headers: all, form: { grant_type: 'client_credentials' } });
    expect(result.status).toBe(401);
    expect(jsonBody(result)).toEqual({
      fault: { faultstring: 'Invalid ApiKey', detail: { errorcode: 'oauth.v2.InvalidApiKey' } },
    });
  });

  it('writes a namespaced Status with repeated errorInfo by default and a single one when configured', async () => {
    const many = v1Status(await login({}, { password: 'nope' }));
    expect(many['@_xmlns']).toBe('http://schema.intuit.com/fs/common/v2');
    expect(many.errorInfo).toHaveLength(2);
    expect(many.errorInfo[0]).toEqual({
      errorType: 'USER_ERROR',
      errorCode: '90001',
      errorMessage: 'login credentials are not valid',
    });
    sandbox.configure({ v1ErrorInfo: 'single' });
    try {
      expect(v1Status(await login({}, { password: 'nope' })).errorInfo).toHaveLength(1);
      const json = jsonBody(await login({ accept: 'application/json' }, { password: 'nope' }));
      expect(json).toEqual({
        statusMessage: 'login credentials are not valid',
        errorInfo: { errorType: 'USER_ERROR', errorCode: '90001', errorMessage: 'login credentials are not valid' },
      });
    } finally {
      sandbox.configure({ v1ErrorInfo: 'many' });
    }
    const jsonMany = jsonBody(await login({ accept: 'application/json' }, { password: 'nope' }));
    expect(Array.isArray(jsonMany.errorInfo)).toBe(true);
  });

  it('refuses client_credentials with 403 when the app does not support it', async () => {
    sandbox.configure({ clientCredentialsEnabled: false });
    try {
      const result = await send(tokenUrl, {
        method: 'POST',
        headers: v1Headers(sandbox),
        form: { grant_type: 'client_credentials' },
      });
      expect(result.status).toBe(403);
      expect(v1Status(result).errorInfo[0]).toMatchObject({
        errorCode: '90001',
        errorMessage: 'app does not support client credentials',
      });
    } finally {
      sandbox.configure({ clientCredentialsEnabled: true });
    }
  });
});
