import { inspect } from 'node:util';
import { CandescentProtocolError } from '../errors/candescent-auth.error';
import { registeredSecretCount } from '../logging/redact';
import {
  DEFAULT_MAX_EXPIRES_IN_SECONDS,
  MAX_REFRESH_TOKEN_LIFETIME_SECONDS,
  parseTokenSuccess,
  type TokenHttpResponse,
  type TokenResponseContext,
} from './token-response.parser';

const RECEIVED_AT = Date.UTC(2025, 0, 15, 12, 0, 0);
const ACCESS = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdl';
const REFRESH = 'cmVmcmVzaC10b2tlbi1leGFtcGxl';

const v1Ctx: TokenResponseContext = { service: 'v1', grant: 'password', traceId: 'trace-v1', receivedAt: RECEIVED_AT };
const v2Ctx: TokenResponseContext = { service: 'v2', grant: 'password', traceId: 'trace-v2', receivedAt: RECEIVED_AT };

const xml = (inner: string): TokenHttpResponse => ({
  status: 200,
  headers: { 'content-type': 'application/xml;charset=UTF-8' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<token>${inner}</token>`,
});
const json = (body: Record<string, unknown>, contentType = 'application/json'): TokenHttpResponse => ({
  status: 200,
  headers: { 'content-type': contentType },
  body: JSON.stringify(body),
});

function protocolError(run: () => unknown): CandescentProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof CandescentProtocolError) return error;
    throw error;
  }
  throw new Error('expected a CandescentProtocolError');
}

describe('parseTokenSuccess: V1', () => {
  const fullXml = xml(`
    <di_fiid>00042</di_fiid>
    <di_ficustomer>0c1f5e9a7b3d4e2f8a6b9c0d1e2f3a4b</di_ficustomer>
    <di_member_number>000100200300</di_member_number>
    <access_token>${ACCESS}</access_token>
    <expires_in>1799</expires_in>
    <refresh_token>${REFRESH}</refresh_token>
    <refresh_token_expires_in>2591999</refresh_token_expires_in>`);

  it('reads the documented XML <token> with every value kept as a string', () => {
    expect(parseTokenSuccess(fullXml, v1Ctx)).toEqual({
      service: 'v1',
      grant: 'password',
      accessToken: ACCESS,
      tokenType: 'Bearer',
      issuedAt: RECEIVED_AT,
      expiresAt: RECEIVED_AT + 1799_000,
      refreshToken: REFRESH,
      refreshTokenExpiresAt: RECEIVED_AT + 2591999_000,
      fiId: '00042',
      fiCustomerId: '0c1f5e9a7b3d4e2f8a6b9c0d1e2f3a4b',
      memberNumber: '000100200300',
    });
  });

  it('reads the old JSON form with string numbers the same way', () => {
    const res = json({
      expires_in: '1799',
      di_fiid: '00016',
      di_ficustomer: 'abc',
      access_token: ACCESS,
      refresh_token: REFRESH,
      refresh_token_expires_in: '2591999',
    });
    const token = parseTokenSuccess(res, v1Ctx);
    expect(token.fiId).toBe('00016');
    expect(token.expiresAt).toBe(RECEIVED_AT + 1799_000);
    expect(token.refreshTokenExpiresAt).toBe(RECEIVED_AT + 2591999_000);
  });

  it('reads a client-credentials token without customer fields', () => {
    const token = parseTokenSuccess(
      xml(`<di_fiid>00042</di_fiid><access_token>${ACCESS}</access_token><expires_in>1799</expires_in>`),
      { ...v1Ctx, grant: 'client_credentials' },
    );
    expect(token).toEqual({
      service: 'v1',
      grant: 'client_credentials',
      accessToken: ACCESS,
      tokenType: 'Bearer',
      issuedAt: RECEIVED_AT,
      expiresAt: RECEIVED_AT + 1799_000,
      fiId: '00042',
    });
  });

  it('reads a namespaced token sent without a content type', () => {
    const res: TokenHttpResponse = {
      status: 200,
      headers: {},
      body: `<ns2:token xmlns:ns2="urn:x"><ns2:access_token>${ACCESS}</ns2:access_token><ns2:expires_in>60</ns2:expires_in></ns2:token>`,
    };
    expect(parseTokenSuccess(res, v1Ctx).expiresAt).toBe(RECEIVED_AT + 60_000);
  });

  it('refuses a member number sent as a JSON number (it may already have lost its zeros)', () => {
    const error = protocolError(() =>
      parseTokenSuccess(json({ access_token: ACCESS, expires_in: 60, di_member_number: 100200300 }), v1Ctx),
    );
    expect(error.message).toContain('di_member_number');
  });

  it('reads the old spec absolute refresh expiry (ISO and HTTP date)', () => {
    const iso = parseTokenSuccess(
      json({
        access_token: ACCESS,
        expires_in: 60,
        refresh_token: REFRESH,
        refresh_token_expires_in: '2025-02-14T12:00:00',
      }),
      v1Ctx,
    );
    expect(iso.refreshTokenExpiresAt).toBe(Date.UTC(2025, 1, 14, 12, 0, 0));
    const http = parseTokenSuccess(
      json({ access_token: ACCESS, expires_in: 60, refresh_token_expires_in: 'Fri, 14 Feb 2025 12:00:00 GMT' }),
      v1Ctx,
    );
    expect(http.refreshTokenExpiresAt).toBe(Date.UTC(2025, 1, 14, 12, 0, 0));
  });

  it('caps a nonsense refresh lifetime', () => {
    const token = parseTokenSuccess(
      json({ access_token: ACCESS, expires_in: 60, refresh_token_expires_in: '99999999999' }),
      v1Ctx,
    );
    expect(token.refreshTokenExpiresAt).toBe(RECEIVED_AT + MAX_REFRESH_TOKEN_LIFETIME_SECONDS * 1000);
  });
});

describe('parseTokenSuccess: V2', () => {
  it.each([
    ['expires_in as a string (new spec)', '1800'],
    ['expires_in as a number (old spec)', 1800],
  ])('reads the documented JSON with %s', (_name, expiresIn) => {
    const token = parseTokenSuccess(
      json({
        access_token: ACCESS,
        token_type: 'Bearer',
        expires_in: expiresIn,
        refresh_token: REFRESH,
        refresh_token_expires_in: 2592000,
        transactionId: 'echoed',
      }),
      { ...v2Ctx, scopes: ['accounts:read'] },
    );
    expect(token).toEqual({
      service: 'v2',
      grant: 'password',
      accessToken: ACCESS,
      tokenType: 'Bearer',
      issuedAt: RECEIVED_AT,
      expiresAt: RECEIVED_AT + 1800_000,
      refreshToken: REFRESH,
      refreshTokenExpiresAt: RECEIVED_AT + 2592000_000,
      scopes: ['accounts:read'],
    });
  });

  it.each(['bearer', 'BEARER', undefined])('accepts token_type %p', (tokenType) => {
    const token = parseTokenSuccess(json({ access_token: ACCESS, token_type: tokenType, expires_in: 60 }), v2Ctx);
    expect(token.tokenType).toBe('Bearer');
  });

  it.each(['mac', 'Basic', 'Bearer '])('rejects token_type %p', (tokenType) => {
    const error = protocolError(() =>
      parseTokenSuccess(json({ access_token: ACCESS, token_type: tokenType, expires_in: 60 }), v2Ctx),
    );
    expect(error.message).toContain('token_type');
    expect(error.errorCode).toBe('INVALID_TOKEN_RESPONSE');
  });

  it('accepts a vendor JSON content type', () => {
    const res = json({ access_token: ACCESS, expires_in: 60 }, 'application/vnd.candescent+json; charset=utf-8');
    expect(parseTokenSuccess(res, v2Ctx).accessToken).toBe(ACCESS);
  });
});

describe('parseTokenSuccess: expires_in', () => {
  const withExpiry = (expiresIn: unknown) => json({ access_token: ACCESS, expires_in: expiresIn });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['blank', ''],
    ['words', 'thirty minutes'],
    ['a unit suffix', '1800s'],
  ])('uses the configured default when it is %s', (_name, value) => {
    const token = parseTokenSuccess(withExpiry(value), { ...v2Ctx, defaultExpiresInSeconds: 300 });
    expect(token.expiresAt).toBe(RECEIVED_AT + 300_000);
  });

  it.each([
    ['missing', undefined],
    ['words', 'thirty minutes'],
  ])('is a protocol error when it is %s and no default is configured', (_name, value) => {
    const error = protocolError(() => parseTokenSuccess(withExpiry(value), v2Ctx));
    expect(error.message).toContain('expires_in');
  });

  it.each([
    ['zero', 0],
    ['zero as text', '0'],
    ['negative', -5],
    ['negative as text', '-1799'],
    ['fractional', 1799.5],
    ['fractional as text', '0.5'],
    ['NaN as text', 'NaN'],
    ['Infinity as text', 'Infinity'],
    ['a boolean', true],
    ['an object', { value: 1799 }],
  ])('is a protocol error when it is %s, even with a default', (_name, value) => {
    const error = protocolError(() => parseTokenSuccess(withExpiry(value), { ...v2Ctx, defaultExpiresInSeconds: 300 }));
    expect(error.errorCode).toBe('INVALID_TOKEN_RESPONSE');
    expect(error.message).toContain('expires_in (expected a positive whole number of seconds)');
  });

  it('clamps a huge lifetime to the default cap', () => {
    const token = parseTokenSuccess(withExpiry('99999999999999999999'), v2Ctx);
    expect(token.expiresAt).toBe(RECEIVED_AT + DEFAULT_MAX_EXPIRES_IN_SECONDS * 1000);
  });

  it('clamps to a configured cap', () => {
    const token = parseTokenSuccess(withExpiry(86400), { ...v2Ctx, maxExpiresInSeconds: 3600 });
    expect(token.expiresAt).toBe(RECEIVED_AT + 3600_000);
  });
});

describe('parseTokenSuccess: protocol errors', () => {
  it.each([
    [
      'truncated XML',
      { 'content-type': 'application/xml' },
      `<token><access_token>${ACCESS}</access_token>`,
      'invalid XML',
    ],
    [
      'truncated JSON',
      { 'content-type': 'application/json' },
      `{"access_token":"${ACCESS}","expires_in":`,
      'invalid JSON',
    ],
    ['a DOCTYPE', { 'content-type': 'application/xml' }, '<!DOCTYPE t [<!ENTITY a "b">]><token>&a;</token>', 'DOCTYPE'],
    ['an HTML page', { 'content-type': 'text/html' }, '<html>hello</html>', 'text/html'],
    ['an empty body', { 'content-type': 'application/json' }, '', 'no XML or JSON'],
  ])('MALFORMED_BODY for %s', (_name, headers, body, mentioned) => {
    const error = protocolError(() => parseTokenSuccess({ status: 200, headers, body }, v1Ctx));
    expect(error).toMatchObject({
      errorCode: 'MALFORMED_BODY',
      upstreamStatus: 200,
      traceId: 'trace-v1',
      service: 'v1',
    });
    expect(error.getStatus()).toBe(502);
    expect(error.message).toContain(mentioned);
  });

  it.each([
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"token"'],
  ])('INVALID_TOKEN_RESPONSE for %s', (_name, body) => {
    const error = protocolError(() =>
      parseTokenSuccess({ status: 200, headers: { 'content-type': 'application/json' }, body }, v2Ctx),
    );
    expect(error.errorCode).toBe('INVALID_TOKEN_RESPONSE');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with a space', 'abc def'],
    ['with a newline', 'abc\ndef'],
    ['with a control character', 'abc\u0001def'],
    ['too long', 'a'.repeat(4097)],
    ['a number', 12345],
  ])('names access_token when it is %s', (_name, accessToken) => {
    const error = protocolError(() => parseTokenSuccess(json({ access_token: accessToken, expires_in: 60 }), v2Ctx));
    expect(error.message).toMatch(/access_token \(expected a non-empty string/);
  });

  it('lists every wrong field', () => {
    const error = protocolError(() =>
      parseTokenSuccess(
        json({ access_token: '', expires_in: -1, refresh_token: 'has space', token_type: 'mac' }),
        v2Ctx,
      ),
    );
    for (const field of ['access_token', 'expires_in', 'refresh_token', 'token_type']) {
      expect(error.message).toContain(`${field} (expected`);
    }
  });

  it('never reveals a token or password value from the body', () => {
    const accessToken = 'SECRETaccess token with space 123456';
    const refreshToken = 'SECRETrefresh\u0000token';
    const password = 'SECRETpassw0rd!';
    const res = json({ access_token: accessToken, refresh_token: refreshToken, password, expires_in: 'NaN' });
    const error = protocolError(() => parseTokenSuccess(res, v2Ctx));
    const rendered = [error.message, JSON.stringify(error), inspect(error), String(error.stack)].join('\n');
    expect(rendered).toContain('access_token');
    for (const secret of ['SECRET', accessToken, refreshToken, password]) {
      expect(rendered).not.toContain(secret);
    }
  });

  it('ignores unknown fields, including a __proto__ key, without polluting prototypes', () => {
    const body = `{"__proto__":{"polluted":true},"constructor":{"x":1},"access_token":"${ACCESS}","expires_in":60}`;
    const token = parseTokenSuccess({ status: 200, headers: { 'content-type': 'application/json' }, body }, v2Ctx);
    expect(token.accessToken).toBe(ACCESS);
    expect(token).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('registers nothing: customer tokens must not grow the redaction registry with every login', () => {
    const before = registeredSecretCount();
    const token = parseTokenSuccess(
      json({ access_token: 'parsed-access-token-4711', refresh_token: 'parsed-refresh-token-4711', expires_in: 60 }),
      v2Ctx,
    );
    expect(token.refreshToken).toBe('parsed-refresh-token-4711');
    expect(registeredSecretCount()).toBe(before);
  });
});
