import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { hashHandle } from '../../libs/candescent-auth/src/session/session-handle';
import { entry, type ErrorBody, type RunningSample, startSample } from '../support/app-testing';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';

const [alice] = DEMO_CUSTOMERS;

/**
 * Someone with write access to Redis (or a backup restored over it) puts an old session value
 * back: a value from before a logout, or from before a renewal (with its spent refresh token),
 * must stay dead. The value is authentic ciphertext under its own key, so encryption alone
 * cannot tell; the end record and the revision beside it do.
 */
describeRedis('session values copied back into Redis', () => {
  let redis: RedisServerHandle;
  let raw: Redis;
  const storeKey = randomBytes(32).toString('base64');
  const started: RunningSample[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  });

  afterAll(async () => {
    for (const sample of started) await sample.close();
    raw.disconnect();
    await redis.stop();
  });

  const samples = new Map<'v1' | 'v2', Promise<RunningSample>>();
  function sampleWith(service: 'v1' | 'v2'): Promise<RunningSample> {
    let sample = samples.get(service);
    if (!sample) {
      sample = startSample({
        REDIS_URL: redis.url,
        CANDESCENT_STORE_KEY: storeKey,
        CANDESCENT_LOGIN_SERVICE: service,
        LOGIN_RATE_LIMIT: '100',
      });
      samples.set(service, sample);
      void sample.then((running) => started.push(running));
    }
    return sample;
  }

  const valueKey = (handle: string) => `candescent:data:session:{${hashHandle(handle)}}`;

  it.each([
    ['v2', 'SET'],
    ['v2', 'RESTORE'],
    ['v1', 'SET'],
  ] as const)('a %s session stays logged out when its value is put back with %s', async (service, how) => {
    const sample = await sampleWith(service);
    const handle = await sample.client.sessionFor(alice);
    expect((await sample.client.get('/me', handle)).status).toBe(200);
    const key = valueKey(handle);
    const copy = await raw.get(key);
    const dump = await raw.dumpBuffer(key);
    expect(copy).toMatch(/^v2\./);

    const logout = await sample.client.call('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${handle}` },
    });
    expect(logout.status).toBe(204);
    expect(await raw.exists(key)).toBe(0);
    if (how === 'SET') await raw.set(key, copy ?? '', 'PX', 600_000);
    else await raw.restore(key, 600_000, dump);

    for (const path of ['/me', '/accounts']) {
      const reply = await sample.client.get(path, handle);
      expect(reply.status).toBe(401);
      expect(reply.json<ErrorBody>().errorCode).toBe('SESSION_REVOKED');
    }
  });

  it('a value from before a renewal is refused once put back', async () => {
    const sample = await sampleWith('v2');
    const handle = await sample.client.sessionFor(alice);
    const key = valueKey(handle);
    const beforeRenewal = await raw.get(key);
    // Candescent refuses the access token once: the session renews (the refresh token rotates).
    sample.sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });
    const before = entry(sample.sandbox.counters().byGrant, 'refresh_token') ?? 0;
    expect((await sample.client.get('/accounts', handle)).status).toBe(200);
    expect(sample.sandbox.counters().byGrant.refresh_token).toBe(before + 1);
    expect(await raw.get(key)).not.toBe(beforeRenewal);

    await raw.set(key, beforeRenewal ?? '', 'PX', 600_000);
    const reply = await sample.client.get('/me', handle);
    expect(reply.status).toBe(401);
    expect(reply.json<ErrorBody>().errorCode).toBe('SESSION_INVALID');
  });
});
