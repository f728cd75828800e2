import { randomBytes } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { CandescentTokenService, RedisStore } from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { startSandbox } from '../support/sandbox';

/**
 * With Redis configured, institution tokens are shared: three instances and a cold cache cost
 * one token request, and a renewal by one instance is adopted by the others.
 */
describeRedis('institution tokens shared through Redis', () => {
  let redis: RedisServerHandle;
  let sandbox: CandescentSandbox;
  let instances: OpenedModule[];
  let shared: { redis: { url: string; encryptionKey: string }; tokenRefreshJitter: number };

  beforeAll(async () => {
    redis = await startRedisServer();
    sandbox = await startSandbox();
    shared = { redis: { url: redis.url, encryptionKey: randomBytes(32).toString('base64') }, tokenRefreshJitter: 0 };
    instances = await Promise.all([1, 2, 3].map(() => createTokenModule(sandbox, shared)));
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await sandbox.stop();
    await redis.stop();
  });

  const service = (i: number): CandescentTokenService => instances[i].tokens;

  it('three instances with cold caches, 300 concurrent callers each: one token request', async () => {
    sandbox.resetCounters();
    const tokens = await Promise.all(Array.from({ length: 900 }, (_, i) => service(i % 3).getInstitutionToken()));
    expect(sandbox.counters().tokenRequests).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  });

  it('a token dropped after a 401 on one instance is fetched once and adopted by the others', async () => {
    const before = await service(0).getInstitutionToken();
    sandbox.resetCounters();
    for (let i = 0; i < 3; i += 1) service(i).invalidate(before.accessToken);
    // Let the drop from the shared store land first, so the count below is exact.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await Promise.all(Array.from({ length: 90 }, (_, i) => service(i % 3).getInstitutionToken()));
    expect(sandbox.counters().tokenRequests).toBe(1);
    expect(new Set(after.map((t) => t.accessToken)).size).toBe(1);
    expect(after[0]?.accessToken).not.toBe(before.accessToken);
  });

  it('an app on another gateway origin sharing the same Redis gets its own token', async () => {
    const mine = await service(0).getInstitutionToken();
    // Same sandbox, other origin (localhost instead of 127.0.0.1): to the module another gateway.
    const other = await createTokenModule(sandbox, {
      ...shared,
      baseUrl: sandbox.url.replace('127.0.0.1', 'localhost'),
    });
    try {
      sandbox.resetCounters();
      const theirs = await other.tokens.getInstitutionToken();
      expect(theirs.accessToken).not.toBe(mine.accessToken);
      expect(sandbox.counters().tokenRequests).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('shares them as well when the app passes its own RedisStore as `store`', async () => {
    const key = randomBytes(32).toString('base64');
    const stores = [1, 2].map(() => new RedisStore({ url: redis.url, encryptionKey: key, keyPrefix: 'own-store:' }));
    const own = await Promise.all(stores.map((store) => createTokenModule(sandbox, { store, tokenRefreshJitter: 0 })));
    try {
      sandbox.resetCounters();
      const tokens = await Promise.all(Array.from({ length: 60 }, (_, i) => own[i % 2].tokens.getInstitutionToken()));
      expect(sandbox.counters().tokenRequests).toBe(1);
      expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    } finally {
      await Promise.all(own.map((module) => module.close()));
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('a token Candescent refuses is replaced and the call replayed, not re-adopted from Redis', async () => {
    const instance = instances[0];
    await instance.tokens.getInstitutionToken();
    sandbox.resetCounters();
    sandbox.injectFault({ route: 'v2-accounts', kind: 'reject-token', times: 1 });
    const response = await firstValueFrom(
      instance.http.get<{ accounts: unknown[] }>('/db-accounts/v1/accounts', { params: { loginId: 'alice' } }),
    );
    expect(response.status).toBe(200);
    expect(sandbox.counters().byGrant).toEqual({ client_credentials: 1 });
    expect(sandbox.counters().v2Accounts).toBe(2);
  });
});
