import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type ErrorBody, rawRequest, type Reply, type RunningSample, startSample } from '../support/app-testing';

/**
 * The sample app's own hardening: answers about sessions, customers and accounts are never
 * cached and do not name the framework; hostile nesting is a clear 400; login guessing is
 * limited per username as well as per client IP.
 */

const [alice, bob] = DEMO_CUSTOMERS;
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

    it('refuses the 4th attempt at one username within a minute from any address, whatever its case', async () => {
      for (const [address, username] of [
        ['127.0.0.2', 'alice'],
        ['127.0.0.3', 'ALICE'],
        ['127.0.0.4', 'Alice'],
      ] as const) {
        expect((await loginFrom(address, username, 'wrong-guess')).status).toBe(401);
      }
      const before = limited.sandbox.counters().tokenRequests;
      const fourth = await loginFrom('127.0.0.5', alice.username, alice.password);
      expect(fourth.status).toBe(429);
      expect(limited.sandbox.counters().tokenRequests).toBe(before);

      // Only that username is limited: another customer logs in from the same address.
      expect((await loginFrom('127.0.0.5', bob.username, bob.password)).status).toBe(200);
    });
  });
});
