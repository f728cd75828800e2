import { inspect } from 'node:util';
import type { CandescentTokenGrant } from './candescent-token.interface';
import type { TokenHttpResponse } from './token-response.parser';
import {
  type CandescentAuthError,
  CandescentForbiddenError,
  CandescentInvalidCredentialsError,
  CandescentProtocolError,
  CandescentRateLimitedError,
  CandescentSessionExpiredError,
  CandescentTimeoutError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import { classifyNetworkError } from './network-error.classifier';
import { classifyTokenError, parseRetryAfter } from './token-error.classifier';

type ErrorClass = abstract new (...args: never[]) => CandescentAuthError;

const v1Xml = (code: string, message: string, type = 'USER_ERROR'): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Status xmlns="http://schema.intuit.com/fs/common/v2">
  <statusMessage>${message}</statusMessage>
  <errorInfo><errorType>${type}</errorType><errorCode>${code}</errorCode><errorMessage>${message}</errorMessage></errorInfo>
</Status>`;
const xmlRes = (status: number, body: string): TokenHttpResponse => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body,
});
const jsonRes = (status: number, body: unknown): TokenHttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const classify = (res: TokenHttpResponse, service: CandescentService, grant?: CandescentTokenGrant) =>
  classifyTokenError(res, { service, grant, traceId: 'trace-1', now: Date.UTC(2025, 0, 1) });

describe('classifyTokenError: V1 error table', () => {
  it.each<[number, string, string, CandescentTokenGrant, ErrorClass]>([
    [400, '90002', "Form param 'grant_type' invalid", 'password', CandescentProtocolError],
    [400, '90002', "Form param 'username' invalid", 'password', CandescentInvalidCredentialsError],
    [400, '90002', "Form param 'password' invalid", 'password', CandescentInvalidCredentialsError],
    [400, '90002', "Header 'di_fiid' invalid", 'password', CandescentProtocolError],
    [400, '90002', "Header 'di_tid' invalid", 'client_credentials', CandescentProtocolError],
    [400, '90002', "Header 'originating_ip' invalid", 'password', CandescentProtocolError],
    [400, '90002', 'Header invalid', 'password', CandescentProtocolError],
    [401, '90001', 'login credentials are not valid', 'password', CandescentInvalidCredentialsError],
    [401, '90001', 'login credentials are not valid', 'client_credentials', CandescentForbiddenError],
    [401, '90001', 'di_fiid not authorized', 'password', CandescentForbiddenError],
    [401, '90001', 'di_ficustomer not authorized', 'password', CandescentForbiddenError],
    [403, '90001', 'app does not support client credentials', 'client_credentials', CandescentForbiddenError],
    [403, '90002', 'Access blocked', 'password', CandescentForbiddenError],
    [403, '90002', 'Client not authorized for this URL', 'client_credentials', CandescentForbiddenError],
    [500, '90001', 'Quota limit violation', 'password', CandescentRateLimitedError],
    [500, '91000', 'Quota limit violation', 'client_credentials', CandescentRateLimitedError],
    [500, '92000', 'Spike arrest violation', 'password', CandescentRateLimitedError],
    [500, '90002', 'Internal Service Error - contact DI team', 'password', CandescentUnavailableError],
    [500, '90003', 'Internal Service Error - contact DI team', 'password', CandescentUnavailableError],
    [500, '90004', 'Internal Service Error - contact DI team', 'client_credentials', CandescentUnavailableError],
  ])('%i %s "%s" (%s) -> %p', (status, code, message, grant, errorClass) => {
    const error = classify(xmlRes(status, v1Xml(code, message)), 'v1', grant);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({
      upstreamStatus: status,
      errorCode: code,
      errorType: 'USER_ERROR',
      traceId: 'trace-1',
      service: 'v1',
    });
    expect(error.message).toMatch(new RegExp(`^Candescent V1 token service .* \\(${status} ${code} `));
  });

  it('reads prefixed namespaces and takes the first of several errorInfo', () => {
    const body = `<ns2:Status xmlns:ns2="http://schema.intuit.com/fs/common/v2" xmlns:ns3="urn:other">
      <ns2:statusMessage>login credentials are not valid</ns2:statusMessage>
      <ns2:errorInfo><ns2:errorType>USER_ERROR</ns2:errorType><ns2:errorCode>90001</ns2:errorCode>
        <ns2:errorMessage>login credentials are not valid</ns2:errorMessage></ns2:errorInfo>
      <ns2:errorInfo><ns2:errorType>SYSTEM_ERROR</ns2:errorType><ns2:errorCode>92000</ns2:errorCode>
        <ns2:errorMessage>Spike arrest violation</ns2:errorMessage></ns2:errorInfo>
    </ns2:Status>`;
    const error = classify(xmlRes(401, body), 'v1', 'password');
    expect(error).toBeInstanceOf(CandescentInvalidCredentialsError);
    expect(error).toMatchObject({ errorCode: '90001', errorType: 'USER_ERROR' });
  });

  it('falls back to statusMessage when errorInfo has no message', () => {
    const body =
      '<Status><statusMessage>Quota limit violation</statusMessage><errorInfo><errorCode>99999</errorCode></errorInfo></Status>';
    expect(classify(xmlRes(500, body), 'v1', 'password')).toBeInstanceOf(CandescentRateLimitedError);
  });

  it.each([
    [
      'single errorInfo object',
      {
        statusMessage: 'x',
        errorInfo: { errorType: 'USER_ERROR', errorCode: '90001', errorMessage: 'login credentials are not valid' },
      },
    ],
    [
      'errorInfo array',
      {
        statusMessage: 'x',
        errorInfo: [{ errorType: 'USER_ERROR', errorCode: 90001, errorMessage: 'login credentials are not valid' }],
      },
    ],
    [
      'wrapped in Status',
      {
        Status: {
          errorInfo: { errorType: 'USER_ERROR', errorCode: '90001', errorMessage: 'login credentials are not valid' },
        },
      },
    ],
  ])('reads the JSON form (%s)', (_name, body) => {
    const error = classify(jsonRes(401, body), 'v1', 'password');
    expect(error).toBeInstanceOf(CandescentInvalidCredentialsError);
    expect(error.errorCode).toBe('90001');
  });

  it('sniffs an XML error sent without a content type', () => {
    const res: TokenHttpResponse = { status: 401, headers: {}, body: v1Xml('90001', 'di_fiid not authorized') };
    expect(classify(res, 'v1', 'password')).toMatchObject({ errorCode: '90001', status: 403 });
  });
});

describe('classifyTokenError: V2 error table', () => {
  it.each<[number, string, string, CandescentTokenGrant, ErrorClass]>([
    [400, 'CMN_90005', 'bad header', 'password', CandescentProtocolError],
    [400, 'CMN_90007', 'invalid grant type', 'client_credentials', CandescentProtocolError],
    [400, 'CMN_90008', 'bad transactionId', 'password', CandescentProtocolError],
    [400, 'CMN_90010', 'invalid request', 'password', CandescentProtocolError],
    [400, 'CMN_90011', 'invalid request', 'refresh_token', CandescentProtocolError],
    [400, 'CMN_90012', 'username/password invalid', 'password', CandescentInvalidCredentialsError],
    [400, 'CMN_90013', 'invalid token or user', 'refresh_token', CandescentSessionExpiredError],
    [400, 'CMN_90013', 'invalid token or user', 'password', CandescentProtocolError],
    [400, 'CMN_90014', 'invalid request', 'client_credentials', CandescentProtocolError],
    [400, 'CMN_90016', 'non-printable characters', 'password', CandescentInvalidCredentialsError],
    [400, 'CMN_90017', 'invalid request', 'password', CandescentProtocolError],
    [400, 'CMN_90019', 'error creating token', 'refresh_token', CandescentProtocolError],
    [400, 'CMN_90009', 'Access blocked', 'password', CandescentForbiddenError],
    [401, 'CMN_90001', 'client not authorized', 'password', CandescentForbiddenError],
    [401, 'CMN_90004', 'invalid credentials', 'password', CandescentInvalidCredentialsError],
    [401, 'CMN_90004', 'invalid credentials', 'client_credentials', CandescentForbiddenError],
    [401, 'CMN_90015', 'invalid user credentials', 'password', CandescentInvalidCredentialsError],
    [403, 'CMN_90006', 'not authorized to access this resource', 'client_credentials', CandescentForbiddenError],
    [500, 'CMN_90000', 'internal server error', 'password', CandescentUnavailableError],
    [500, 'CMN_90001', 'quota limit violation', 'password', CandescentRateLimitedError],
    [500, 'CMN_90002', 'spike arrest violation', 'client_credentials', CandescentRateLimitedError],
    [500, 'CMN_90003', 'spike limit violation', 'refresh_token', CandescentRateLimitedError],
  ])('%i %s "%s" (%s) -> %p', (status, code, message, grant, errorClass) => {
    const error = classify(jsonRes(status, { code, message }), 'v2', grant);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ upstreamStatus: status, errorCode: code, traceId: 'trace-1', service: 'v2' });
  });

  it('writes a message that names the service, what happened and what to do', () => {
    const error = classify(jsonRes(401, { code: 'CMN_90015', message: 'invalid user credentials' }), 'v2', 'password');
    expect(error.message).toBe(
      'Candescent V2 token service rejected the customer credentials (401 CMN_90015 invalid user credentials). Check the username and password.',
    );
    expect(error).toMatchObject({ status: 401, errorType: 'USER_ERROR' });
  });

  it.each<[ErrorClass, string, number, string]>([
    [CandescentSessionExpiredError, 'USER_ERROR', 400, 'CMN_90013'],
    [CandescentProtocolError, 'SYSTEM_ERROR', 400, 'CMN_90010'],
    [CandescentRateLimitedError, 'SYSTEM_ERROR', 500, 'CMN_90002'],
  ])('gives %p the error type %s when the body has none', (errorClass, errorType, status, code) => {
    const error = classify(jsonRes(status, { code, message: 'x' }), 'v2', 'refresh_token');
    expect(error).toBeInstanceOf(errorClass);
    expect(error.errorType).toBe(errorType);
  });

  it('says a 400 is the module request being wrong', () => {
    const error = classify(jsonRes(400, { code: 'CMN_90005', message: 'bad header' }), 'v2', 'password');
    expect(error.message).toContain('The request this module sent was wrong');
  });

  it('treats a quota message at another 5xx as rate limiting', () => {
    expect(classify(jsonRes(503, { code: 'X', message: 'Spike arrest violation' }), 'v2')).toBeInstanceOf(
      CandescentRateLimitedError,
    );
  });
});

describe('classifyTokenError: gateway faults and bodies without structure', () => {
  const fault = (faultstring: string, errorcode: string) => ({ fault: { faultstring, detail: { errorcode } } });

  it.each<[number, string, string, ErrorClass]>([
    [401, 'Invalid ApiKey', 'oauth.v2.InvalidApiKey', CandescentForbiddenError],
    [401, 'Invalid ApiKey for given resource', 'oauth.v2.InvalidApiKeyForGivenResource', CandescentForbiddenError],
    [
      403,
      'Developer app not approved',
      'keymanagement.service.invalid_client-app_not_approved',
      CandescentForbiddenError,
    ],
    [429, 'Rate limit quota violation', 'policies.ratelimit.QuotaViolation', CandescentRateLimitedError],
    [500, 'Spike arrest violation', 'policies.ratelimit.SpikeArrestViolation', CandescentRateLimitedError],
    [
      503,
      'The Service is temporarily unavailable',
      'messaging.adaptors.http.flow.ServiceUnavailable',
      CandescentUnavailableError,
    ],
    [
      404,
      'Unable to identify proxy for host',
      'messaging.adaptors.http.flow.ApplicationNotFound',
      CandescentProtocolError,
    ],
  ])('%i %s -> %p with the detail errorcode', (status, faultstring, errorcode, errorClass) => {
    const error = classify(jsonRes(status, fault(faultstring, errorcode)), 'v2', 'client_credentials');
    expect(error).toBeInstanceOf(errorClass);
    expect(error.errorCode).toBe(errorcode);
  });

  it('explains an invalid API key as an app credentials problem', () => {
    const error = classify(jsonRes(401, fault('Invalid ApiKey', 'oauth.v2.InvalidApiKey')), 'v1', 'password');
    expect(error.message).toContain('rejected the app key at the API gateway');
    expect(error.message).toContain('consumer key and secret');
  });

  it.each<[number, string | undefined, string, ErrorClass]>([
    [502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>', CandescentUnavailableError],
    [503, 'text/plain', 'upstream connect error or disconnect/reset before headers', CandescentUnavailableError],
    [500, 'text/html', '<html>quota exceeded</html>', CandescentUnavailableError],
    [500, undefined, '', CandescentUnavailableError],
    [429, undefined, '', CandescentRateLimitedError],
    [401, 'text/html', '<html>Unauthorized</html>', CandescentForbiddenError],
    [403, 'text/plain', 'Forbidden', CandescentForbiddenError],
    [400, undefined, '', CandescentProtocolError],
    [404, 'text/html', '<html>Not Found</html>', CandescentProtocolError],
    [302, 'text/html', '<a href="/login">moved</a>', CandescentProtocolError],
    [
      401,
      'application/xml',
      '<Status><statusMessage>login credentials are not valid</statusMessage>',
      CandescentForbiddenError,
    ],
    [500, 'application/json', '{"code":"CMN_90002","message":"quo', CandescentUnavailableError],
    [
      500,
      'application/xml',
      '<!DOCTYPE s [<!ENTITY q "quota">]><Status><statusMessage>&q;</statusMessage></Status>',
      CandescentUnavailableError,
    ],
  ])('%i %s body classified by status alone -> %p', (status, contentType, body, errorClass) => {
    const error = classify({ status, headers: { 'content-type': contentType }, body }, 'v1', 'password');
    expect(error).toBeInstanceOf(errorClass);
    expect(error.upstreamStatus).toBe(status);
    expect(error.errorCode).toBeUndefined();
    expect(error.message).not.toContain('<html');
  });

  it('never throws, even for a status outside HTTP', () => {
    expect(classify({ status: 0, headers: {}, body: '\u0000' }, 'v2')).toBeInstanceOf(CandescentProtocolError);
  });
});

describe('classifyTokenError: Retry-After and secrets', () => {
  it.each([
    ['delta-seconds', '120', 120],
    ['an HTTP date', 'Wed, 01 Jan 2025 00:02:30 GMT', 150],
  ])('attaches Retry-After given as %s', (_name, header, seconds) => {
    const res: TokenHttpResponse = {
      ...jsonRes(429, {}),
      headers: { 'content-type': 'application/json', 'retry-after': header },
    };
    const error = classify(res, 'v2', 'password');
    expect(error.retryAfterSeconds).toBe(seconds);
    expect(error.message).toContain(`wait ${seconds} seconds`);
  });

  it('keeps token and password values out of message, JSON and inspect output', () => {
    const access = 'AccessTok3nValue0123456789abcdef';
    const refresh = 'Refr3shTokenValue0123456789abcdef';
    const password = 'hunter2Secret';
    const body = {
      code: 'CMN_90015',
      message: `invalid user credentials for password: ${password}, token ${access} and "refresh_token":"${refresh}"`,
      access_token: access,
      refresh_token: refresh,
      password,
    };
    const xmlBody = `<Status><statusMessage>refresh token ${refresh} expired, password '${password}'</statusMessage><errorInfo><errorCode>CMN_90013</errorCode></errorInfo><access_token>${access}</access_token></Status>`;
    const errors = [
      classify(jsonRes(401, body), 'v2', 'password'),
      classify(xmlRes(400, xmlBody), 'v2', 'refresh_token'),
    ];
    expect(errors[0]).toBeInstanceOf(CandescentInvalidCredentialsError);
    expect(errors[1]).toBeInstanceOf(CandescentSessionExpiredError);
    for (const error of errors) {
      const rendered = [error.message, JSON.stringify(error), inspect(error)].join('\n');
      expect(rendered).toContain('[REDACTED]');
      for (const secret of [access, refresh, password]) expect(rendered).not.toContain(secret);
    }
  });

  it('cuts long upstream messages', () => {
    const error = classify(jsonRes(500, { code: 'CMN_90000', message: 'x '.repeat(500) }), 'v2');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain('…');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 1, 0, 0, 0);
  it.each<[string | undefined, number | undefined]>([
    ['0', 0],
    ['30', 30],
    [' 45 ', 45],
    ['3600', 3600],
    ['86400', 3600],
    ['99999999999999999999', 3600],
    ['Wed, 01 Jan 2025 00:01:00 GMT', 60],
    ['Wednesday, 01-Jan-25 00:01:00 GMT', 60],
    ['Wed Jan  1 00:01:00 2025', 60],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['Thu, 02 Jan 2025 00:00:00 GMT', 3600],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['2025-01-01T00:01:00Z', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p -> %p', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });
});

describe('classifyNetworkError', () => {
  const ctx = { service: 'v2' as const, traceId: 'trace-net' };
  const secretConfig = {
    url: 'https://api.candescent.com/oauth2/v1/token?apikey=QUERYSECRET123',
    headers: { Authorization: 'Basic SEVBREVSU0VDUkVUOnh5eg==' },
    data: 'grant_type=password&username=bob&password=BODYSECRET123',
  };
  const nodeError = (message: string, code?: string) => Object.assign(new Error(message), { code });
  const withConfig = (error: Error, config: object = secretConfig) => Object.assign(error, { config });
  const abortError = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each<[string, unknown, ErrorClass, string | undefined]>([
    [
      'axios timeout',
      withConfig(nodeError('timeout of 5000ms exceeded', 'ECONNABORTED')),
      CandescentTimeoutError,
      'ECONNABORTED',
    ],
    [
      'axios clarified timeout',
      withConfig(nodeError('timeout of 5000ms exceeded', 'ETIMEDOUT')),
      CandescentTimeoutError,
      'ETIMEDOUT',
    ],
    ['socket timeout', nodeError('ESOCKETTIMEDOUT', 'ESOCKETTIMEDOUT'), CandescentTimeoutError, 'ESOCKETTIMEDOUT'],
    [
      'AbortSignal.timeout()',
      abortError('TimeoutError', 'The operation was aborted due to timeout'),
      CandescentTimeoutError,
      'ETIMEDOUT',
    ],
    ['AbortError for a deadline', abortError('AbortError', 'deadline exceeded'), CandescentTimeoutError, 'ETIMEDOUT'],
    [
      'axios CanceledError from a timed-out signal',
      withConfig(Object.assign(nodeError('canceled', 'ERR_CANCELED'), { name: 'CanceledError' }), {
        ...secretConfig,
        signal: { aborted: true, reason: abortError('TimeoutError', 'signal timed out') },
      }),
      CandescentTimeoutError,
      'ERR_CANCELED',
    ],
    [
      'undici connect timeout as cause',
      Object.assign(new TypeError('fetch failed'), { cause: nodeError('x', 'UND_ERR_CONNECT_TIMEOUT') }),
      CandescentTimeoutError,
      'UND_ERR_CONNECT_TIMEOUT',
    ],
    [
      'connection refused',
      withConfig(nodeError('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED')),
      CandescentUnavailableError,
      'ECONNREFUSED',
    ],
    ['connection reset', nodeError('read ECONNRESET', 'ECONNRESET'), CandescentUnavailableError, 'ECONNRESET'],
    ['broken pipe', nodeError('write EPIPE', 'EPIPE'), CandescentUnavailableError, 'EPIPE'],
    [
      'unknown host',
      nodeError('getaddrinfo ENOTFOUND api.example', 'ENOTFOUND'),
      CandescentUnavailableError,
      'ENOTFOUND',
    ],
    [
      'DNS try again',
      nodeError('getaddrinfo EAI_AGAIN api.example', 'EAI_AGAIN'),
      CandescentUnavailableError,
      'EAI_AGAIN',
    ],
    ['socket hang up without a code', new Error('socket hang up'), CandescentUnavailableError, 'ECONNRESET'],
    [
      'axios ECONNABORTED without a timeout',
      nodeError('Request aborted', 'ECONNABORTED'),
      CandescentUnavailableError,
      'ECONNABORTED',
    ],
    [
      'a plain cancel',
      Object.assign(nodeError('canceled', 'ERR_CANCELED'), { name: 'CanceledError' }),
      CandescentUnavailableError,
      'ERR_CANCELED',
    ],
    [
      'TLS failure',
      nodeError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      CandescentUnavailableError,
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ],
    ['a thrown string', 'boom', CandescentUnavailableError, undefined],
    ['null', null, CandescentUnavailableError, undefined],
    ['a code that is not a code', nodeError('x', 'password=hunter2 secret'), CandescentUnavailableError, undefined],
  ])('%s -> %p', (_name, error, errorClass, networkCode) => {
    const result = classifyNetworkError(error, ctx);
    expect(result).toBeInstanceOf(errorClass);
    expect(result).toMatchObject({ networkCode, traceId: 'trace-net', service: 'v2', errorType: 'SYSTEM_ERROR' });
    expect(result.message).toMatch(/^Candescent V2 token service [^(]+ \([A-Z_0-9a-z ]+\)\. /);
  });

  it('passes module errors through unchanged', () => {
    const original = new CandescentRateLimitedError('slow down');
    expect(classifyNetworkError(original, ctx)).toBe(original);
  });

  it('survives an error object whose getters throw', () => {
    const hostile = Object.defineProperty({}, 'code', {
      get() {
        throw new Error('nope');
      },
    });
    expect(classifyNetworkError(hostile, ctx)).toBeInstanceOf(CandescentUnavailableError);
  });

  it('keeps URL, query, headers, body and the original message out of every rendering', () => {
    const error = withConfig(nodeError('connect ECONNREFUSED 10.0.0.1:443 QUERYSECRET123', 'ECONNREFUSED'));
    const result = classifyNetworkError(error, ctx);
    const rendered = [result.message, JSON.stringify(result), inspect(result)].join('\n');
    for (const leak of ['QUERYSECRET123', 'SEVBREVSU0VDUkVU', 'BODYSECRET123', 'api.candescent.com', '10.0.0.1']) {
      expect(rendered).not.toContain(leak);
    }
    expect(result.message).toBe(
      'Candescent V2 token service refused the connection (ECONNREFUSED). Check the base URL and port, and that the gateway is reachable from this host.',
    );
  });
});
