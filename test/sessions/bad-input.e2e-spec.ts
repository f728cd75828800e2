import { connect } from 'node:net';
import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { entry, type ErrorBody, rawRequest, type RunningSample, startSample } from '../support/app-testing';
import { CANONICAL_UUID } from '../support/sandbox';

/**
 * Hostile and sloppy input at the sample app's edge: malformed login bodies, spoofed trace ids
 * and client addresses, header tricks and login floods. Every answer must be a clear 4xx, nothing
 * spoofed may reach Candescent, and the app must keep serving afterwards.
 */

const alice = DEMO_CUSTOMERS[0];
const bob = DEMO_CUSTOMERS[1];
const JSON_TYPE = 'application/json';
const SPOOFED_IP = '203.0.113.9';

/** Sends bytes as they are (what fetch and node:http refuse to produce) and returns the status. */
function rawStatus(url: string, head: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(head));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => {
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
    });
    socket.on('error', reject);
  });
}

describe('bad input at the edge', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    // Both services, so a V1 token request (which carries originating_ip) happens at login.
    sample = await startSample({ CANDESCENT_LOGIN_SERVICE: 'both', LOGIN_RATE_LIMIT: '10000' });
  });

  afterAll(async () => {
    await sample.close();
  });

  /** `contentType: null` sends none of our own (fetch then labels a string body text/plain). */
  const postLogin = (body: string, contentType: string | null = JSON_TYPE, headers: Record<string, string> = {}) =>
    sample.client.call('/auth/login', {
      method: 'POST',
      headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...headers },
      body,
    });
  const valid = { username: alice.username, password: alice.password };
  const deep = (levels: number): unknown => (levels === 0 ? 'x' : { nested: deep(levels - 1) });

  describe('malformed login bodies get a clear 4xx, never a 500 and never a session', () => {
    const cases: Array<[label: string, body: string, contentType: string | null, message: RegExp]> = [
      ['an empty object', '{}', JSON_TYPE, /username is required/],
      ['a missing password', JSON.stringify({ username: 'alice' }), JSON_TYPE, /password is required/],
      ['a missing username', JSON.stringify({ password: alice.password }), JSON_TYPE, /username is required/],
      ['numbers', JSON.stringify({ username: 123, password: 456 }), JSON_TYPE, /username must be a string/],
      ['booleans', JSON.stringify({ username: true, password: false }), JSON_TYPE, /must be a string/],
      ['nulls', JSON.stringify({ username: null, password: null }), JSON_TYPE, /must be a string/],
      [
        'arrays as values',
        JSON.stringify({ username: ['alice'], password: [alice.password] }),
        JSON_TYPE,
        /must be a string/,
      ],
      ['an array body', JSON.stringify([valid]), JSON_TYPE, /should not exist|must be a string|required/],
      [
        'operator objects',
        JSON.stringify({ username: { $ne: null }, password: { $gt: '' } }),
        JSON_TYPE,
        /must be a string/,
      ],
      [
        'deeply nested objects',
        JSON.stringify({ username: deep(200), password: 'x' }),
        JSON_TYPE,
        /nested more than 32 levels/,
      ],
      [
        'an extra field beside valid credentials',
        JSON.stringify({ ...valid, role: 'admin' }),
        JSON_TYPE,
        /role should not exist/,
      ],
      ['empty strings', JSON.stringify({ username: '', password: '' }), JSON_TYPE, /required/],
      [
        'a 129-character username',
        JSON.stringify({ username: 'a'.repeat(129), password: 'x' }),
        JSON_TYPE,
        /at most 128/,
      ],
      ['a 1 MB string', JSON.stringify({ username: 'a'.repeat(1024 * 1024), password: 'x' }), JSON_TYPE, /too large/i],
      [
        'a NUL in the username',
        JSON.stringify({ username: 'ali\u0000ce', password: 'x' }),
        JSON_TYPE,
        /control characters/,
      ],
      [
        'an escape sequence in the username',
        JSON.stringify({ username: '\u001b[31malice', password: 'x' }),
        JSON_TYPE,
        /control characters/,
      ],
      [
        'a C1 control in the password',
        JSON.stringify({ username: 'alice', password: 'pw\u0085' }),
        JSON_TYPE,
        /control characters/,
      ],
      [
        'a CRLF in the password',
        JSON.stringify({ username: 'alice', password: 'pw\r\nX-Injected: 1' }),
        JSON_TYPE,
        /control characters/,
      ],
      ['invalid JSON', '{"username":"alice",', JSON_TYPE, /JSON/],
      ['JSON null', 'null', JSON_TYPE, /JSON|required/],
      ['a JSON string', '"alice"', JSON_TYPE, /JSON|required/],
      ['no body', '', JSON_TYPE, /required/],
      ['JSON sent as text/plain', JSON.stringify(valid), 'text/plain', /required/],
      ['JSON with no content type', JSON.stringify(valid), null, /required/],
      [
        'XML',
        `<login><username>alice</username><password>${alice.password}</password></login>`,
        'application/xml',
        /required/,
      ],
      ['an unsupported charset', JSON.stringify(valid), 'application/json; charset=iso-8859-1', /unsupported charset/i],
      // A plain HTML form on any site can send this without a preflight: with the cookie transport
      // that would log a victim's browser into the attacker's session (login CSRF).
      ['a form-encoded body', new URLSearchParams(valid).toString(), 'application/x-www-form-urlencoded', /./],
    ];

    it.each(cases)('%s', async (_label, body, contentType, message) => {
      const reply = await postLogin(body, contentType);
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      const parsed = reply.json<ErrorBody>();
      expect(parsed.statusCode).toBe(reply.status);
      const text = Array.isArray(parsed.message) ? parsed.message.join('; ') : parsed.message;
      expect(text).toMatch(message);
      expect(reply.text).not.toMatch(/sessionToken|cds_/);
      // Nothing of the input's secret or the server's internals comes back.
      expect(reply.text).not.toContain(alice.password);
      expect(reply.text).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)|node_modules/);
    });

    it('names each bad field once: a missing password is one message, not four', async () => {
      const missingPassword = await postLogin(JSON.stringify({ username: 'alice' }));
      expect(missingPassword.json<ErrorBody>().message).toEqual(['password is required']);
      const empty = await postLogin('{}');
      expect(empty.json<ErrorBody>().message).toEqual(['username is required', 'password is required']);
      const notAString = await postLogin(JSON.stringify({ username: 'alice', password: 42 }));
      expect(notAString.json<ErrorBody>().message).toEqual(['password must be a string']);
    });

    it('drops a __proto__ key without polluting any prototype', async () => {
      const reply = await postLogin(
        `{"username":"alice","password":"${alice.password}","__proto__":{"polluted":true}}`,
      );
      // class-transformer skips the key, so this is an ordinary login; what matters is that
      // nothing leaked into Object.prototype of the process that parsed it.
      expect(reply.status).toBe(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    });

    it('answers wrong credentials with 401 and a message that names no secret', async () => {
      const reply = await postLogin(JSON.stringify({ username: 'alice', password: 'Not-Her-Password-1' }));
      expect(reply.status).toBe(401);
      // A fixed sentence for the end user: Candescent's own text and code explanation stay in the log.
      expect(reply.json<ErrorBody>().message).toBe('The username or password is not correct.');
      expect(reply.text).not.toMatch(/token service|rejected|\(401/i);
      expect(reply.text).not.toContain('Not-Her-Password-1');
    });
  });

  describe('spoofed trace ids and header tricks', () => {
    const spoofs = {
      di_tid: 'not-a-uuid',
      transactionId: "'; DROP TABLE sessions; --",
      'x-request-id': '../../../etc/passwd',
    };
    const wellFormedSpoof = '0f8fad5b-d9cb-469f-a165-70867728950e';

    it('never forwards an incoming trace id: every outgoing di_tid and transactionId is fresh', async () => {
      sample.sandbox.resetCounters();
      const handle = await sample.client.sessionFor(alice);
      const login = await postLogin(JSON.stringify(valid), JSON_TYPE, spoofs);
      expect(login.status).toBe(200);
      const wellFormed = { di_tid: wellFormedSpoof, transactionId: wellFormedSpoof, 'x-request-id': wellFormedSpoof };
      for (const headers of [spoofs, wellFormed, { di_tid: 'abc%0d%0aX-Injected:%20yes' }]) {
        for (const service of ['v1', 'v2']) {
          const reply = await sample.client.get(`/accounts?service=${service}`, handle, headers);
          expect(reply.status).toBe(200);
        }
      }
      const recorded = sample.sandbox.requests();
      expect(recorded.length).toBeGreaterThanOrEqual(8);
      const spoofed = new Set([...Object.values(spoofs), wellFormedSpoof, 'abc%0d%0aX-Injected:%20yes']);
      for (const request of recorded) {
        const trace = entry(request.headers, 'di_tid') ?? entry(request.headers, 'transactionid');
        expect(trace).toMatch(CANONICAL_UUID);
        expect(spoofed.has(trace ?? '')).toBe(false);
        expect(request.headers['x-request-id']).toBeUndefined();
        expect(request.headers['x-injected']).toBeUndefined();
      }
      // Fresh per call, not one id reused for a whole session.
      const traces = recorded.map(
        (request) => entry(request.headers, 'di_tid') ?? entry(request.headers, 'transactionid'),
      );
      expect(new Set(traces).size).toBe(traces.length);
    });

    it('does not reflect a spoofed trace id into an error body', async () => {
      const reply = await sample.client.get('/me', undefined, { di_tid: '<script>alert(1)</script>' });
      expect(reply.status).toBe(401);
      expect(reply.json<ErrorBody>().traceId).toMatch(CANONICAL_UUID);
      expect(reply.text).not.toContain('<script>');
    });

    it('refuses raw header injection attempts at the HTTP layer with a 4xx', async () => {
      const handle = await sample.client.sessionFor(alice);
      const { host } = new URL(sample.url);
      sample.sandbox.resetCounters();
      const attempts = [
        // obs-fold: a continuation line trying to smuggle a second header into di_tid
        `GET /accounts HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${handle}\r\ndi_tid: abc\r\n X-Injected: yes\r\nConnection: close\r\n\r\n`,
        // a bare CR inside a value
        `GET /accounts HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${handle}\r\ndi_tid: abc\rX-Injected: yes\r\nConnection: close\r\n\r\n`,
        // a bare LF inside a value
        `GET /accounts HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${handle}\r\ntransactionId: abc\nX-Injected: yes\r\nConnection: close\r\n\r\n`,
      ];
      for (const attempt of attempts) {
        const status = await rawStatus(sample.url, attempt);
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
      for (const request of sample.sandbox.requests()) expect(request.headers['x-injected']).toBeUndefined();
      expect((await sample.client.get('/accounts', handle)).status).toBe(200);
    });

    it('does not take X-Forwarded-For (or Forwarded, X-Real-IP) as originating_ip: trust proxy is off', async () => {
      const spoof = { 'x-forwarded-for': SPOOFED_IP, forwarded: `for=${SPOOFED_IP}`, 'x-real-ip': SPOOFED_IP };
      sample.sandbox.resetCounters();
      const login = await postLogin(
        JSON.stringify({ username: bob.username, password: bob.password }),
        JSON_TYPE,
        spoof,
      );
      expect(login.status).toBe(200);
      const handle = login.json<{ sessionToken: string }>().sessionToken;
      for (const service of ['v1', 'v2'])
        expect((await sample.client.get(`/accounts?service=${service}`, handle, spoof)).status).toBe(200);

      const recorded = sample.sandbox.requests();
      const v1Login = recorded.find((request) => request.route === 'v1-token');
      expect(v1Login?.headers.originating_ip).toBe('127.0.0.1');
      for (const request of recorded.filter((r) => r.route === 'v1-accounts' || r.route === 'v2-accounts')) {
        expect(request.headers.originating_ip).toBe('127.0.0.1');
      }
      expect(JSON.stringify(recorded)).not.toContain(SPOOFED_IP);
    });
  });

  it('keeps answering after all of that', async () => {
    expect((await sample.client.call('/health')).status).toBe(200);
    const handle = await sample.client.sessionFor(alice);
    expect((await sample.client.get('/accounts', handle)).status).toBe(200);
  });

  describe('login rate limit (LOGIN_RATE_LIMIT=3)', () => {
    let limited: RunningSample;

    beforeAll(async () => {
      limited = await startSample({ LOGIN_RATE_LIMIT: '3', LOGIN_USERNAME_RATE_LIMIT: '100' });
    });

    afterAll(async () => {
      await limited.close();
    });

    it('answers the 4th login from one IP within a minute with 429, without asking Candescent', async () => {
      const handles: string[] = [];
      for (let i = 0; i < 3; i++) handles.push(await limited.client.sessionFor(alice));
      const before = limited.sandbox.counters().tokenRequests;

      const fourth = await limited.client.login(alice.username, alice.password);
      expect(fourth.status).toBe(429);
      expect(JSON.stringify(fourth.json<ErrorBody>().message)).toMatch(/too many requests/i);
      // A new X-Forwarded-For per attempt must not buy new attempts.
      const rotated = await limited.client.login(alice.username, alice.password, { 'x-forwarded-for': SPOOFED_IP });
      expect(rotated.status).toBe(429);
      expect(limited.sandbox.counters().tokenRequests).toBe(before);

      // The limit is per client IP (another loopback address still gets in) and only on login.
      const { hostname, port } = new URL(limited.url);
      const other = await rawRequest(`http://${hostname}:${port}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': JSON_TYPE },
        body: JSON.stringify(valid),
        localAddress: '127.0.0.2',
      });
      expect(other.status).toBe(200);
      expect((await limited.client.get('/me', handles[0])).status).toBe(200);
      expect((await limited.client.call('/health')).status).toBe(200);
    });
  });
});
