import { randomBytes } from 'node:crypto';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { CandescentUnavailableError, RedisStore } from '@candescent/auth';
import { CandescentContext } from '../../libs/candescent-auth/src/context/request-context';
import { withStoreWait } from '../../libs/candescent-auth/src/store/redis-failover';
import { LogCapture } from '../support/logs';
import { startTcpProxy } from '../support/tcp-proxy';
import { describeRedisCluster, type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster';
import { startSentinelTopology, type SentinelTopology } from '../support/redis-sentinel';
import { describeRedis, freePort, startRedisServer } from '../support/redis-server';

const encryptionKey = randomBytes(32).toString('base64');

/** What an operation came to, and after how long (wall clock, for bounds of seconds only). */
async function timed<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const startedAt = Date.now();
  try {
    return { value: await work(), ms: Date.now() - startedAt };
  } catch (error) {
    return { error, ms: Date.now() - startedAt };
  }
}

/**
 * A store operation that meets a failover waits for the promotion (within the failover
 * deadline) instead of failing at once; a Redis that is simply down still fails, and fast once
 * it has been down for longer than the deadline.
 */
describeRedis('store operations through a Redis failover', () => {
  let topology: SentinelTopology;
  const stores: RedisStore[] = [];

  beforeAll(async () => {
    topology = await startSentinelTopology();
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    await topology.stop();
  });

  it('a write and a read sent just after the Sentinel master was killed succeed on the promoted replica', async () => {
    const store = new RedisStore({ sentinels: topology.sentinels, name: topology.name, encryptionKey });
    stores.push(store);
    await store.set('before', 'kept', 60_000);
    await topology.replicated();
    const formerMaster = await topology.masterPort();
    await topology.master.kill();

    // Same request context for both: they share one deadline (the default 10 s).
    const outcome = await CandescentContext.run({ traceId: 'failover' }, () =>
      timed(async () => {
        await store.set('during', 'written', 60_000);
        return [await store.get('during'), await store.get('before')];
      }),
    );

    expect(outcome.error).toBeUndefined();
    expect(outcome.value).toEqual(['written', 'kept']);
    expect(await topology.masterPort()).not.toBe(formerMaster);
    expect(outcome.ms).toBeLessThan(10_000);
  });
});

describeRedis('store operations while Redis is down (no failover coming)', () => {
  it('fail with the fixed error within the deadline, then at once until Redis answers again', async () => {
    const port = await freePort();
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, encryptionKey, failoverDeadlineMs: 1_500 });
    try {
      const first = await timed(() => store.get('k'));
      expect(first.error).toBeInstanceOf(CandescentUnavailableError);
      expect(first.ms).toBeGreaterThanOrEqual(1_000);
      expect(first.ms).toBeLessThan(5_000);
      // Down for longer than the deadline: a dead Redis, not a failover. No more waiting.
      const next = await timed(() => store.get('k'));
      expect(next.error).toBeInstanceOf(CandescentUnavailableError);
      expect(next.ms).toBeLessThan(1_000);
      // Back: it works again, and the next outage is waited out again.
      const redis = await startRedisServer({ port });
      try {
        let back = false;
        for (let i = 0; i < 100 && !back; i++) {
          back = await store.set('k', 'v', 60_000).then(
            () => true,
            () =>
              new Promise<boolean>((resolve) => {
                setTimeout(() => {
                  resolve(false);
                }, 100);
              }),
          );
        }
        expect(await store.get('k')).toBe('v');
      } finally {
        await redis.stop();
      }
    } finally {
      await store.close();
    }
  });
});

describeRedisCluster('store operations through a Redis Cluster failover', () => {
  let cluster: RedisClusterHandle;
  let store: RedisStore;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    store = new RedisStore({ cluster: { nodes: cluster.nodes }, encryptionKey });
  }, 60_000);

  afterAll(async () => {
    await store.close();
    await cluster.stop();
  });

  it("a write to a crashed master's slot waits for its replica's promotion and succeeds", async () => {
    await store.set('victim', 'before', 60_000);
    const victim = await cluster.ownerOf('candescent:data:{victim}');
    await cluster.crash(victim);

    const outcome = await CandescentContext.run({ traceId: 'cluster-failover' }, () =>
      timed(async () => {
        await store.set('victim', 'after', 60_000);
        return store.get('victim');
      }),
    );

    expect(outcome.error).toBeUndefined();
    expect(outcome.value).toBe('after');
    expect(await cluster.ownerOf('candescent:data:{victim}')).not.toBe(victim);
  });
});

/**
 * The shared institution-token cache asks the store not to wait through a failover: it fetches
 * on its own meanwhile and says so once per outage. The store's line about each such call is
 * debug, whether the command was refused before it left (connection known down) or dropped in
 * flight (ioredis's "max retries per request"), which the Sentinel soak once logged as a warning.
 */
describeRedis('a store caller that falls back instead of waiting for a failover', () => {
  it('gets the failure at once, and the store logs it at debug level, not as a warning', async () => {
    const redis = await startRedisServer();
    const proxy = await startTcpProxy(redis.port);
    const store = new RedisStore({ url: `redis://127.0.0.1:${proxy.port}`, encryptionKey });
    const logs = new LogCapture();
    Logger.overrideLogger(logs);
    try {
      await store.get('warm');
      // The command reaches Redis, and the connection drops before its answer comes back.
      const cutting = proxy.swallowRepliesAfter('dropped-in-flight');
      const reading = withStoreWait(0, () => timed(() => store.get('dropped-in-flight')));
      (await cutting)();
      const outcome = await reading;

      expect(outcome.error).toBeInstanceOf(CandescentUnavailableError);
      expect(outcome.ms).toBeLessThan(5_000);
      expect(logs.linesAt('warn').filter((line) => line.includes('Redis store unavailable during'))).toEqual([]);
      expect(logs.linesAt('debug').filter((line) => line.includes('Redis store unavailable during get'))).toHaveLength(
        1,
      );
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
      await store.close();
      await proxy.close();
      await redis.stop();
    }
  });
});
