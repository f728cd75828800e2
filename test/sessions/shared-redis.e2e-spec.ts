import { randomBytes } from 'node:crypto';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type ErrorBody, type RunningSample, sampleEnvFor, startSample } from '../support/app-testing';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';

const [alice] = DEMO_CUSTOMERS;

/**
 * Two different apps (each with its own Candescent gateway) that share one Redis, the default
 * key prefix and one CANDESCENT_STORE_KEY: neither may accept, use or end the other's sessions.
 */
describeRedis('apps sharing Redis and the store key', () => {
  let redis: RedisServerHandle;
  let gatewayA: CandescentSandbox;
  let gatewayB: CandescentSandbox;
  let appA: RunningSample;
  let appB: RunningSample;
  let shared: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedisServer();
    gatewayA = new CandescentSandbox();
    gatewayB = new CandescentSandbox();
    await Promise.all([gatewayA.start(), gatewayB.start()]);
    shared = {
      REDIS_URL: redis.url,
      CANDESCENT_STORE_KEY: randomBytes(32).toString('base64'),
      LOGIN_RATE_LIMIT: '100',
    };
    appA = await startSample({ ...sampleEnvFor(gatewayA), ...shared }, { external: gatewayA });
    appB = await startSample({ ...sampleEnvFor(gatewayB), ...shared }, { external: gatewayB });
  });

  afterAll(async () => {
    await appA.close();
    await appB.close();
    await gatewayA.stop();
    await gatewayB.stop();
    await redis.stop();
  });

  it("refuses B's handle at A with 401, sends none of B's tokens to A's gateway, and leaves B's session alive", async () => {
    const handleOfB = await appB.client.sessionFor(alice);
    expect((await appB.client.get('/me', handleOfB)).status).toBe(200);
    gatewayA.resetCounters();

    for (const path of ['/me', '/accounts']) {
      const reply = await appA.client.get(path, handleOfB);
      expect(reply.status).toBe(401);
      expect(reply.json<ErrorBody>().errorCode).toBe('SESSION_INVALID');
    }
    const logout = await appA.client.call('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${handleOfB}` },
    });
    expect(logout.status).toBe(401);
    // Nothing of B's reached A's gateway: no accounts call, no refresh, no revocation.
    expect(gatewayA.counters().tokenRequests).toBe(0);
    expect(gatewayA.accountsCalls()).toHaveLength(0);
    expect(gatewayA.counters().v2Revoke).toBe(0);

    // A did not end B's session.
    expect((await appB.client.get('/me', handleOfB)).status).toBe(200);
    expect((await appB.client.get('/accounts', handleOfB)).status).toBe(200);
  });

  it('still shares sessions between instances of the same app', async () => {
    const secondA = await startSample({ ...sampleEnvFor(gatewayA), ...shared }, { external: gatewayA });
    try {
      const handle = await appA.client.sessionFor(alice);
      expect((await secondA.client.get('/me', handle)).status).toBe(200);
    } finally {
      await secondA.close();
    }
  });
});
