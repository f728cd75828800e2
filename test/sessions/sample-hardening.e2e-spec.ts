import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { DEMO_CONTENT_SECURITY_POLICY } from '../../apps/sample/src/web/security-headers.middleware';
import { type ErrorBody, rawRequest, type Reply, type RunningSample, startSample } from '../support/app-testing';

/**
 * The sample app's own hardening: answers about sessions, customers and accounts are never
 * cached and do not name the framework; hostile nesting is a clear 400; login guessing is
 * limited per username as well as per client IP.
 */

const [alice, bob, carol] = DEMO_CUSTOMERS;
const JSON_TYPE = 'application/json';

describe('sample app hardening', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample({ LOGIN_RATE_LIMIT: '1000', LOGIN_USERNAME_RATE_LIMIT: '1000' });
  });

  afterAll(async () => {
    await sample.close();
  });

  function expectPrivate(reply: Reply, status: number): void {
    expect(reply.status).toBe(status);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('x-powered-by')).toBeNull();
  }

  it('marks login, session and account answers (errors too) no-store, without X-Powered-By', async () => {
    const login = await sample.client.login(alice.username, alice.password);
    expectPrivate(login, 200);
    const { sessionToken } = login.json<{ sessionToken: string }>();
    expectPrivate(await sample.client.get('/me', sessionToken), 200);
    expectPrivate(await sample.client.get('/accounts', sessionToken), 200);
    expectPrivate(await sample.client.get('/me'), 401);
    expectPrivate(await sample.client.login(alice.username, 'wrong-password'), 401);
    expectPrivate(
      await sample.client.call('/auth/logout', {
        method: 'POST',
        headers: { authorization: `Bearer ${sessionToken}` },
      }),
      204,
    );
  });

  it.each([
    ['malformed JSON', '{"username":"alice","password":', 400],
    ['a body over 100 kB', JSON.stringify({ username: 'alice', password: 'x'.repeat(150_000) }), 413],
  ])('sends no-store, the CSP and nosniff when the body parser refuses %s', async (_label, body, status) => {
    const before = sample.sandbox.counters().tokenRequests;
    const reply = await sample.client.call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body,
    });
    expectPrivate(reply, status);
    expect(reply.headers.get('content-security-policy')).toBe(DEMO_CONTENT_SECURITY_POLICY);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
    expect(sample.sandbox.counters().tokenRequests).toBe(before);
  });

  const nested = (open: string, close: string, levels: number) => `${open.repeat(levels)}1${close.repeat(levels)}`;

  it.each([
    ['an object 5,000 levels deep as the username', `{"username":${nested('{"a":', '}', 5000)},"password":"x"}`],
    [
      'arrays 5,000 levels deep in an extra field',
      `{"username":"alice","password":"x","extra":${nested('[', ']', 5000)}}`,
    ],
    ['arrays 20,000 levels deep', `{"username":"alice","password":"x","extra":${nested('[', ']', 20_000)}}`],
    ['33 levels', `{"username":${nested('{"a":', '}', 33)},"password":"x"}`],
  ])('answers a login body with %s with a typed 400, not a 500', async (_label, body) => {
    const before = sample.sandbox.counters().tokenRequests;
    const reply = await sample.client.call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body,
    });
    expect(reply.status).toBe(400);
    expect(reply.json<ErrorBody>()).toMatchObject({
      statusCode: 400,
      errorType: 'USER_ERROR',
      errorCode: 'BODY_TOO_DEEP',
    });
    expect(reply.json<ErrorBody>().message).toMatch(/nested more than 32 levels/);
    expect(sample.sandbox.counters().tokenRequests).toBe(before);
  });

  it('still validates a body nested within the limit field by field', async () => {
    const reply = await sample.client.call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body: `{"username":${nested('{"a":', '}', 30)},"password":"x"}`,
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.json<ErrorBody>().message)).toMatch(/username must be a string/);
  });

  describe('per-username login limit (LOGIN_USERNAME_RATE_LIMIT=3)', () => {
    let limited: RunningSample;

    beforeAll(async () => {
      limited = await startSample({ LOGIN_RATE_LIMIT: '100', LOGIN_USERNAME_RATE_LIMIT: '3' });
    });

    afterAll(async () => {
      await limited.close();
    });

    /** A login sent from another loopback address, as a guesser with many addresses would. */
    const loginFrom = (address: string, username: string, password: string) => {
      const { hostname, port } = new URL(limited.url);
      return rawRequest(`http://${hostname}:${port}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': JSON_TYPE },
        body: JSON.stringify({ username, password }),
        localAddress: address,
      });
    };

    it('counts a username as typed: failures as ALICE do not hold alice off', async () => {
      for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
        expect((await loginFrom(address, 'ALICE', 'wrong-guess')).status).toBe(401);
      }
      expect((await loginFrom('127.0.0.5', alice.username, alice.password)).status).toBe(200);
      // Spaces around it do not make another login id: the 4th attempt at ALICE is refused.
      expect((await loginFrom('127.0.0.6', ' ALICE ', 'wrong-guess')).status).toBe(429);
    });

    it('refuses the 4th attempt at one username within a minute from any address', async () => {
      for (const address of ['127.0.0.8', '127.0.0.9', '127.0.0.10']) {
        expect((await loginFrom(address, bob.username, 'wrong-guess')).status).toBe(401);
      }
      const before = limited.sandbox.counters().tokenRequests;
      const fourth = await loginFrom('127.0.0.11', bob.username, bob.password);
      expect(fourth.status).toBe(429);
      expect(limited.sandbox.counters().tokenRequests).toBe(before);

      // Only that username is limited: another customer logs in from the same address.
      expect((await loginFrom('127.0.0.11', carol.username, carol.password)).status).toBe(200);
    });

    it("does not tell a client whether others tried a username: no header differs from an untried one's", async () => {
      for (const address of ['127.0.0.12', '127.0.0.13']) {
        expect((await loginFrom(address, 'mallory', 'wrong-guess')).status).toBe(401);
      }
      // Each probe from an address of its own, so the per-IP limit's headers match too.
      const tried = await loginFrom('127.0.0.14', 'mallory', 'wrong-guess');
      const untried = await loginFrom('127.0.0.15', 'trent', 'wrong-guess');
      expect([tried.status, untried.status]).toEqual([401, 401]);
      // The date ticks and the ETag hashes a body that holds a fresh trace id; the rest must match.
      const comparable = (headers: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'date' && name !== 'etag'));
      expect(comparable(tried.headers)).toEqual(comparable(untried.headers));
      expect(Object.keys(tried.headers).filter((name) => name.endsWith('-login-username'))).toEqual([]);
    });
  });
});
