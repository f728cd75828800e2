import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { CandescentUnavailableError, RedisStore } from '@candescent/auth';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { startTcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

const encryptionKey = randomBytes(32).toString('base64');

/**
 * A failover must not leave a store lock (a session's renewal lock, a spent refresh token's
 * marker, an account's lock) held with nobody to release it: that session would pause until the
 * lease ran out. Each case drops a real Redis connection at the moment a failover would.
 */
describeRedis('store locks through a failover', () => {
  const cleanup: Array<() => unknown> = [];

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function server(args: string[] = []): Promise<{ handle: RedisServerHandle; admin: Redis }> {
    const handle = await startRedisServer({ args });
    const admin = new Redis(handle.url);
    await admin.ping();
    cleanup.push(
      () => handle.stop(),
      () => {
        admin.disconnect();
      },
    );
    return { handle, admin };
  }

  it('a lock command sent again after its connection dropped finds its own lock, not "taken"', async () => {
    const { handle, admin } = await server();
    const proxy = await startTcpProxy(handle.port);
    // An app's client with ioredis's defaults: it sends unanswered commands again after reconnecting.
    const client = new Redis(proxy.port, '127.0.0.1');
    const store = new RedisStore({ client, encryptionKey });
    cleanup.push(
      () => proxy.close(),
      () => {
        client.disconnect();
      },
      () => store.close(),
    );
    await store.get('warm');

    // The server takes the lock, and the connection drops before its answer comes back.
    const cutting = proxy.swallowRepliesAfter('lock:{resent}');
    const acquiring = store.acquireLock('resent', 60_000);
    const cut = await cutting;
    await waitFor(async () => (await admin.exists('candescent:lock:{resent}')) === 1, 2_000, 'the lock on the server');
    cut();

    const fence = await acquiring;
    expect(fence).toEqual(expect.any(String));
    expect(await admin.get('candescent:lock:{resent}')).toBe(fence);
  });

  it('a lock that Redis took after the store gave up on it is released', async () => {
    const { handle, admin } = await server();
    const store = new RedisStore({ url: handle.url, encryptionKey, commandTimeoutMs: 200, failoverDeadlineMs: 600 });
    cleanup.push(() => store.close());
    await store.get('warm');

    // Redis hangs: the lock command waits on the connection while the store gives up on it.
    handle.pause();
    let failure: unknown;
    try {
      await store.acquireLock('late', 60_000);
    } catch (error) {
      failure = error;
    } finally {
      handle.resume();
    }
    expect(failure).toBeInstanceOf(CandescentUnavailableError);

    // Redis runs what waited: the lock command (the fence nobody holds), then its release.
    await waitFor(async () => (await admin.exists('candescent:lock:{late}')) === 0, 5_000, 'the lock released');
    expect(await store.acquireLock('late', 60_000)).toEqual(expect.any(String));
  });

  it('a release the master answered but never replicated reaches the promoted replica', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'candescent-lock-replica-'));
    cleanup.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const master = await server();
    // Replication goes through a link that can stop delivering, as a master dying mid-stream.
    const link = await startTcpProxy(master.handle.port);
    cleanup.push(() => link.close());
    const replica = await server(['--dir', dir, '--replicaof', '127.0.0.1', String(link.port)]);
    await waitFor(async () => (await master.admin.info('replication')).includes('state=online'), 10_000, 'the replica');
    // The app reaches the master through an address that moves to the replica when it is promoted.
    const front = await startTcpProxy(master.handle.port);
    const client = new Redis(front.port, '127.0.0.1');
    const store = new RedisStore({ client, encryptionKey });
    cleanup.push(
      () => front.close(),
      () => {
        client.disconnect();
      },
      () => store.close(),
    );
    const lockKey = 'candescent:lock:{released}';
    const fence = (await store.acquireLock('released', 60_000)) ?? '';
    await waitFor(async () => (await replica.admin.get(lockKey)) === fence, 5_000, 'the lock on the replica');

    link.holdServerData();
    await store.releaseLock('released', fence);
    expect(await master.admin.exists(lockKey)).toBe(0);

    // The master dies before the release replicates; the replica is promoted in its place.
    await master.handle.kill();
    link.dropConnections();
    await replica.admin.replicaof('NO', 'ONE');
    front.retarget(replica.handle.port);
    front.dropConnections();

    await waitFor(
      async () => (await replica.admin.exists(lockKey)) === 0,
      10_000,
      'the release on the promoted replica',
    );
  });
});
