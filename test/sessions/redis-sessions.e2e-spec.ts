import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import {
  type AccountsBody,
  type ErrorBody,
  idsIn,
  accountIds,
  type RunningSample,
  sampleEnvFor,
  startSample,
} from '../support/app-testing';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { sleep } from '../support/wait';

const [alice, bob] = DEMO_CUSTOMERS;

/**
 * Two sample app instances behind one Redis: sessions are shared, a rotating refresh token is
 * spent once however many requests on however many instances need it, and nothing readable
 * lands in Redis.
 */
describeRedis('sessions in Redis across two instances', () => {
  let redis: RedisServerHandle;
  let sandbox: CandescentSandbox;
  let a: RunningSample;
  let b: RunningSample;

  beforeAll(async () => {
    redis = await startRedisServer();
    sandbox = new CandescentSandbox();
    await sandbox.start();
    const env = {
      ...sampleEnvFor(sandbox),
      REDIS_URL: redis.url,
      CANDESCENT_STORE_KEY: randomBytes(32).toString('base64'),
      LOGIN_RATE_LIMIT: '1000',
    };
    a = await startSample(env, { external: sandbox });
    b = await startSample(env, { external: sandbox });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await sandbox.stop();
    await redis.stop();
  });

  it('a session opened on one instance works on the other, and logout on either ends it everywhere', async () => {
    const session = await a.client.sessionFor(alice);
    const me = await b.client.get('/me', session);
    expect(me.status).toBe(200);
    expect(me.json<{ loginId: string }>().loginId).toBe('alice');

    const logout = await b.client.call('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${session}` },
    });
    expect(logout.status).toBe(204);
    const after = await a.client.get('/me', session);
    expect(after.status).toBe(401);
    expect(after.json<ErrorBody>().errorCode).toBe('SESSION_REVOKED');
  });

  it('renews a due session once across both instances under concurrent load', async () => {
    sandbox.configure({ accessTokenTtlSeconds: 3 });
    const session = await a.client.sessionFor(bob);
    sandbox.configure({ accessTokenTtlSeconds: 1799 });
    // Past the refresh window (20% of 3 s before expiry) but before expiry.
    await sleep(2_500);
    sandbox.resetCounters();

    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).client.get('/accounts', session)),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(idsIn(reply.json<AccountsBody>()).sort()).toEqual(accountIds(bob).sort());
    }
    expect(sandbox.counters().byGrant.refresh_token).toBe(1);

    // The rotated tokens were written back: later requests on either instance need no refresh.
    const later = await b.client.get('/accounts', session);
    expect(later.status).toBe(200);
    expect(sandbox.counters().byGrant.refresh_token).toBe(1);
  });

  it('keeps no session handle, token or customer data readable in Redis', async () => {
    const login = await a.client.login(alice.username, alice.password);
    const { sessionToken } = login.json<{ sessionToken: string }>();
    const accounts = await a.client.get('/accounts', sessionToken);
    expect(accounts.status).toBe(200);
    const issued = sandbox
      .requests()
      .filter((r) => r.route === 'v2-accounts')
      .flatMap((r) => {
        const header: string | undefined = r.headers.authorization;
        return header ? [header.replace(/^Bearer /, '')] : [];
      });
    expect(issued.length).toBeGreaterThan(0);

    const raw = new Redis(redis.url, { lazyConnect: true });
    await raw.connect();
    try {
      const keys = await raw.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      const dump = (
        await Promise.all(keys.map(async (k) => `${k}=${(await raw.type(k)) === 'string' ? await raw.get(k) : ''}`))
      ).join('\n');
      for (const secret of [sessionToken, ...issued, alice.password, 'alice', sandbox.credentials.consumerSecret]) {
        expect(dump).not.toContain(secret);
      }
    } finally {
      raw.disconnect();
    }
  });
});
