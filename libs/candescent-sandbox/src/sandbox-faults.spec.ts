import { randomUUID } from 'node:crypto';
import { CandescentSandbox } from './sandbox';
import { jsonBody, send, v1Headers, v2Headers, v2Login, type HttpResult } from './sandbox-http.test-helper';

describe('CandescentSandbox faults', () => {
  const sandbox = new CandescentSandbox();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await sandbox.start();
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    sandbox.clearFaults();
    sandbox.resetCounters();
  });

  const v2Token = (form: Record<string, string> = { grant_type: 'client_credentials' }): Promise<HttpResult> =>
    send(`${baseUrl}/oauth2/v1/token`, { method: 'POST', headers: v2Headers(sandbox), form });
  const v1Token = (headers: Record<string, string> = {}): Promise<HttpResult> =>
    send(`${baseUrl}/v1/oauth/token`, {
      method: 'POST',
      headers: v1Headers(sandbox, headers),
      form: { grant_type: 'client_credentials' },
    });
  const timed = async (request: Promise<HttpResult>): Promise<{ result: HttpResult; ms: number }> => {
    const started = performance.now();
    const result = await request;
    return { result, ms: performance.now() - started };
  };

  it('delays by the latency, answers normally, and only on its route', async () => {
    sandbox.injectFault({ kind: 'latency', ms: 250, route: 'v2-token' });
    const untouched = await timed(v1Token());
    expect(untouched.ms).toBeLessThan(200);
    const delayed = await timed(v2Token());
    expect(delayed.ms).toBeGreaterThanOrEqual(240);
    expect(delayed.result.status).toBe(200);
    const next = await timed(v2Token());
    expect(next.ms).toBeLessThan(200);
  });

  it('answers quota and spike limits as 500 in each service shape', async () => {
    sandbox.injectFault({ kind: 'quota', times: 2 });
    const v1 = await v1Token();
    expect(v1.status).toBe(500);
    expect(v1.text).toContain('<errorCode>90001</errorCode>');
    expect(v1.text).toContain('<statusMessage>Quota limit violation</statusMessage>');
    const v2 = await v2Token();
    expect(v2.status).toBe(500);
    expect(jsonBody(v2).code).toBe('CMN_90001');

    sandbox.injectFault({ kind: 'spike', route: 'v2-token' });
    expect(jsonBody(await v2Token()).code).toBe('CMN_90002');
    sandbox.injectFault({ kind: 'server-error' });
    expect(jsonBody(await v1Token({ accept: 'application/json' }))).toMatchObject({
      statusMessage: 'Internal Service Error - contact DI team',
    });
    expect((await v2Token()).status).toBe(200);
  });

  it('answers 503 and 429 with Retry-After', async () => {
    sandbox.injectFault({ kind: 'unavailable', retryAfterSeconds: 7 });
    sandbox.injectFault({ kind: 'too-many-requests', retryAfterSeconds: 3 });
    const unavailable = await v2Token();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('7');
    expect(unavailable.headers.get('content-type')).toMatch(/^text\/html/);
    const tooMany = await v2Token();
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers.get('retry-after')).toBe('3');
  });

  it('drops the connection on reset, and still counts and records the request', async () => {
    sandbox.injectFault({ kind: 'reset' });
    await expect(v2Token()).rejects.toThrow();
    expect(sandbox.counters().v2Token).toBe(1);
    expect(sandbox.requests()[0]).toMatchObject({ route: 'v2-token', status: 0 });
    expect((await v2Token()).status).toBe(200);
  });

  it('records which fault a request took, and none for the others', async () => {
    sandbox.injectFault({ kind: 'spike' });
    await v2Token();
    await v2Token();
    expect(sandbox.requests().map((r) => [r.status, r.fault])).toEqual([
      [500, 'spike'],
      [200, undefined],
    ]);
  });

  it('cuts the body short on reset-mid-body', async () => {
    sandbox.injectFault({ kind: 'reset-mid-body' });
    await expect(v2Token()).rejects.toThrow();
  });

  it('trickles the body over slow-body ms and still delivers all of it', async () => {
    sandbox.injectFault({ kind: 'slow-body', ms: 250 });
    const { result, ms } = await timed(v2Token());
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(jsonBody(result).token_type).toBe('Bearer');
  });

  it('sends broken bodies of the right content type, HTML, empty bodies and gateway faults', async () => {
    sandbox.injectFault({ kind: 'malformed', times: 2 });
    const xml = await v1Token();
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(xml.text).toMatch(/^<\?xml/);
    expect(xml.text).not.toContain('</token>');
    const json = await v2Token();
    expect(() => JSON.parse(json.text) as unknown).toThrow();

    sandbox.injectFault({ kind: 'html' });
    const html = await v2Token();
    expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html']);
    sandbox.injectFault({ kind: 'empty' });
    expect(await v2Token()).toMatchObject({ status: 200, text: '' });
    sandbox.injectFault({ kind: 'gateway-fault' });
    const fault = await v2Token();
    expect(fault.status).toBe(401);
    expect(jsonBody(fault)).toEqual({
      fault: { faultstring: 'Invalid ApiKey', detail: { errorcode: 'oauth.v2.InvalidApiKey' } },
    });
  });

  it('replaces expires_in as told, leaving the rest of the answer intact', async () => {
    sandbox.injectFault({ kind: 'expires-in', value: null, route: 'v2-token' });
    sandbox.injectFault({ kind: 'expires-in', value: 30, route: 'v2-token' });
    sandbox.injectFault({ kind: 'expires-in', value: 'soon', route: 'v1-token' });
    const omitted = jsonBody(await v2Token());
    expect(omitted).not.toHaveProperty('expires_in');
    expect(omitted.access_token).toEqual(expect.any(String));
    expect(jsonBody(await v2Token()).expires_in).toBe(30);
    expect((await v1Token()).text).toContain('<expires_in>soon</expires_in>');
  });

  it('hands out the previous token again on same-token', async () => {
    const first = String(jsonBody(await v2Token()).access_token);
    sandbox.injectFault({ kind: 'same-token' });
    const second = jsonBody(await v2Token());
    expect(second.access_token).toBe(first);
    expect(second.expires_in).toBe('1799');
    expect(String(jsonBody(await v2Token()).access_token)).not.toBe(first);
  });

  it('sends a raw answer verbatim', async () => {
    sandbox.injectFault({ kind: 'raw', status: 418, body: 'teapot', headers: { 'X-Why': 'test' } });
    const result = await v2Token();
    expect([result.status, result.text, result.headers.get('x-why')]).toEqual([418, 'teapot', 'test']);
  });

  it('keeps reject-token for accounts routes and refuses a valid token there', async () => {
    sandbox.injectFault({ kind: 'reject-token' });
    const { accessToken } = await v2Login(sandbox, 'alice', 'Sandbox-Alice-2026!');
    const accounts = (): Promise<HttpResult> =>
      send(`${baseUrl}/db-accounts/v1/accounts`, {
        headers: { authorization: `Bearer ${accessToken}`, transactionId: randomUUID() },
      });
    const rejected = await accounts();
    expect(rejected.status).toBe(401);
    expect(jsonBody(rejected).code).toBe('CMN_90004');
    expect(sandbox.isAccessTokenValid(accessToken)).toBe(true);
    expect((await accounts()).status).toBe(200);
  });

  it('repeats a fault until cleared when times is Infinity', async () => {
    sandbox.injectFault({ kind: 'quota', times: Infinity, route: 'v2-token' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await v2Token()).status);
    expect(statuses).toEqual([500, 500, 500]);
    sandbox.clearFaults();
    expect((await v2Token()).status).toBe(200);
  });

  it('rejects a fault with a nonsensical times', () => {
    expect(() => {
      sandbox.injectFault({ kind: 'quota', times: 0 });
    }).toThrow(/times/);
  });
});
