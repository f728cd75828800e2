import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import {
  CandescentConfigurationError,
  CandescentUnavailableError,
} from '../../libs/candescent-auth/src/errors/candescent-auth.error';
import { RedisStore, STORE_UNAVAILABLE_MESSAGE } from '../../libs/candescent-auth/src/store/redis.store';
import { describeRedis, freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { waitFor } from '../support/wait';

const PASSWORD = 'pw-Zk81-secret';
const newKey = () => randomBytes(32).toString('base64');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Captures the module's warnings (and keeps them out of the test output). */
function captureWarnings(): jest.SpyInstance {
  return jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
}

const warningsText = (spy: jest.SpyInstance) => JSON.stringify(spy.mock.calls);

/** Runs `work` and returns what it rejected with and how long that took. */
async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected a rejection');
}

describeRedis('RedisStore against a real redis-server', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let store: RedisStore;
  const encryptionKey = newKey();
  const closeAfter: Array<{ close(): Promise<void> }> = [];
  let warnings: jest.SpyInstance;

  beforeAll(async () => {
    warnings = captureWarnings();
    server = await startRedisServer({ password: PASSWORD });
    raw = new Redis(server.url);
    store = new RedisStore({ url: server.url, encryptionKey });
  });

  afterAll(async () => {
    for (const other of closeAfter) await other.close();
    await store.close();
    raw.disconnect();
    await server.stop();
    warnings.mockRestore();
  });

  it('stores only ciphertext in Redis, under the prefixed data key, with the ttl as PX', async () => {
    const value = JSON.stringify({ accessToken: 'at-plaintext-Q7', customer: 'Jane' });
    await store.set('session:1', value, 30_000);
    const stored = await raw.get('candescent:data:{session:1}');
    expect(stored).toMatch(/^v2\./);
    expect(stored).not.toContain('at-plaintext-Q7');
    expect(stored).not.toContain('Jane');
    const pttl = await raw.pttl('candescent:data:{session:1}');
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await expect(store.get('session:1')).resolves.toBe(value);
  });

  it('treats a value moved to another key as absent', async () => {
    await store.set('session:a', 'secret-a', 30_000);
    const payload = await raw.get('candescent:data:{session:a}');
    await raw.set('candescent:data:{session:b}', payload!, 'PX', 30_000);
    await expect(store.get('session:b')).resolves.toBeUndefined();
    await expect(store.get('session:a')).resolves.toBe('secret-a');
  });

  it('binds each value of a getMany to its own key, as get does', async () => {
    await store.set('session:m1', 'secret-m1', 30_000);
    await store.set('session:m2', 'secret-m2', 30_000);
    const payload = await raw.get('candescent:data:session:m1');
    await raw.set('candescent:data:session:m3', payload!, 'PX', 30_000);
    await expect(store.getMany(['session:m1', 'session:m2', 'session:m3', 'session:none'])).resolves.toEqual([
      'secret-m1',
      'secret-m2',
      undefined,
      undefined,
    ]);
  });

  it('treats an altered value, or one written with another key, as absent', async () => {
    await store.set('session:t', 'secret-t', 30_000);
    const payload = (await raw.get('candescent:data:{session:t}'))!;
    await raw.set('candescent:data:{session:t}', `${payload.slice(0, -2)}AA`, 'PX', 30_000);
    await expect(store.get('session:t')).resolves.toBeUndefined();

    await store.set('session:k', 'secret-k', 30_000);
    const otherKey = new RedisStore({ url: server.url, encryptionKey: newKey() });
    closeAfter.push(otherKey);
    await expect(otherKey.get('session:k')).resolves.toBeUndefined();
    // Ignored, but not silently: an operator sees why sessions vanished, without the value.
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining('could not be decrypted'));
    expect(warningsText(warnings)).not.toContain('secret-t');
    expect(warningsText(warnings)).not.toContain('secret-k');
  });

  it('shares values and locks between instances with the same key (the multi-instance case)', async () => {
    const other = new RedisStore({ url: server.url, encryptionKey });
    closeAfter.push(other);
    await store.set('shared', 'from-a', 30_000);
    await expect(other.get('shared')).resolves.toBe('from-a');
    const fence = await store.acquireLock('refresh:1', 30_000);
    await expect(other.acquireLock('refresh:1', 30_000)).resolves.toBeUndefined();
    await other.releaseLock('refresh:1', 'guessed-fence');
    await expect(raw.get('candescent:lock:{refresh:1}')).resolves.toBe(fence);
    await store.releaseLock('refresh:1', fence!);
    await expect(raw.exists('candescent:lock:{refresh:1}')).resolves.toBe(0);
  });

  it('reads a value only in the context it was bound to (boundTo), under the same key and prefix', async () => {
    const appA = new RedisStore({ url: server.url, encryptionKey, boundTo: 'app-a' });
    const appA2 = new RedisStore({ url: server.url, encryptionKey, boundTo: 'app-a' });
    const appB = new RedisStore({ url: server.url, encryptionKey, boundTo: 'app-b' });
    closeAfter.push(appA, appA2, appB);
    await appA.set('session:bound', 'of-app-a', 30_000);
    await expect(appA2.get('session:bound')).resolves.toBe('of-app-a');
    await expect(appB.get('session:bound')).resolves.toBeUndefined();
    await expect(store.get('session:bound')).resolves.toBeUndefined();
    // Ignoring the value is all B did: A's value is still there for A.
    await expect(appA.get('session:bound')).resolves.toBe('of-app-a');
  });

  it('reads a reply Redis already sent when the process was starved past the command timeout', async () => {
    const starved = new RedisStore({ url: server.url, encryptionKey, commandTimeoutMs: 100 });
    closeAfter.push(starved);
    await starved.set('starved', 'value', 30_000);
    const pending = starved.get('starved');
    // The process is busy for three timeouts; Redis answers meanwhile, but nobody reads the socket.
    const busyUntil = performance.now() + 300;
    while (performance.now() < busyUntil) {
      /* a CPU-bound stretch, as an overloaded machine gives a process */
    }
    await expect(pending).resolves.toBe('value');
  });

  it('still fails a command Redis never answers, within twice the timeout', async () => {
    const hanging = await startRedisServer();
    const store = new RedisStore({ url: hanging.url, encryptionKey, commandTimeoutMs: 200, failoverDeadlineMs: 0 });
    try {
      await store.set('warm', 'up', 10_000);
      hanging.pause();
      const { error, ms } = await failure(() => store.get('warm'));
      expect(error).toMatchObject({ errorCode: 'STORE_UNAVAILABLE' });
      expect(ms).toBeLessThan(5_000);
    } finally {
      hanging.resume();
      await store.close();
      await hanging.stop();
    }
  });

  it('takes locks with a PX lease that Redis expires', async () => {
    const lock = `lease:${randomUUID()}`;
    const fence = await store.acquireLock(lock, 80);
    const pttl = await raw.pttl(`candescent:lock:{${lock}}`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(80);
    await sleep(150);
    const next = await store.acquireLock(lock, 30_000);
    expect(next).toEqual(expect.any(String));
    await store.releaseLock(lock, fence!);
    await expect(raw.get(`candescent:lock:{${lock}}`)).resolves.toBe(next);
  });

  it('honours keyPrefix and leaves a client it was given open on close', async () => {
    const client = new Redis(server.url);
    const prefixed = new RedisStore({ client, keyPrefix: 'app1:', encryptionKey });
    await prefixed.set('k', 'v', 30_000);
    await expect(raw.exists('app1:data:{k}')).resolves.toBe(1);
    await prefixed.close();
    await expect(client.ping()).resolves.toBe('PONG');
    client.disconnect();
  });

  it('quits the connection it made on close; later calls fail as unavailable', async () => {
    const owned = new RedisStore({ url: server.url, encryptionKey });
    await owned.set('k', 'v', 30_000);
    await owned.close();
    await expect(owned.get('k')).rejects.toBeInstanceOf(CandescentUnavailableError);
  });

  it('rejects bad configuration without echoing secrets', () => {
    const badKey = 'not-a-32-byte-key';
    expect(() => new RedisStore({ url: server.url, encryptionKey: badKey })).toThrow(CandescentConfigurationError);
    expect(() => new RedisStore({ url: server.url, encryptionKey: badKey })).not.toThrow(new RegExp(badKey));
    expect(() => new RedisStore({ url: server.url, encryptionKey: '' })).toThrow(/openssl rand -base64 32/);
    expect(() => new RedisStore({ encryptionKey })).toThrow(/exactly one of `url`/);
    expect(() => new RedisStore({ url: server.url, client: raw, encryptionKey })).toThrow(CandescentConfigurationError);
    const wrongScheme = server.url.replace('redis:', 'http:');
    expect(() => new RedisStore({ url: wrongScheme, encryptionKey })).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => new RedisStore({ url: wrongScheme, encryptionKey })).not.toThrow(new RegExp(PASSWORD));
    expect(() => new RedisStore({ url: server.url, encryptionKey, commandTimeoutMs: 0 })).toThrow(
      CandescentConfigurationError,
    );
    expect(() => new RedisStore({ url: server.url, encryptionKey, failoverDeadlineMs: -1 })).toThrow(
      /failoverDeadlineMs must be zero or a positive number of milliseconds/,
    );
    const sentinels = ['127.0.0.1:26379'];
    expect(() => new RedisStore({ url: server.url, sentinels, name: 'm', encryptionKey })).toThrow(
      /exactly one of `url`/,
    );
    expect(() => new RedisStore({ sentinels, encryptionKey })).toThrow(/name must be the Sentinel master group name/);
    expect(() => new RedisStore({ sentinels: ['127.0.0.1'], name: 'm', encryptionKey })).toThrow(
      /sentinels must be a non-empty list of Sentinel addresses/,
    );
    expect(() => new RedisStore({ sentinels: [], name: 'm', encryptionKey })).toThrow(CandescentConfigurationError);
  });
});

// With failoverDeadlineMs 0 these check the bounds of one command; waiting out a failover (the
// default) is test/store/redis-failover.e2e-spec.ts's.
describeRedis('RedisStore when Redis is down or hangs', () => {
  let blackhole: Server;
  const sockets = new Set<Socket>();
  let warnings: jest.SpyInstance;

  beforeAll(async () => {
    warnings = captureWarnings();
    // Accepts connections and never answers: the "Redis hangs" case.
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
    warnings.mockRestore();
  });

  it('fails fast with CandescentUnavailableError once the server stops, never showing the password', async () => {
    const debugLines = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const server = await startRedisServer({ password: PASSWORD });
    const store = new RedisStore({ url: server.url, encryptionKey: newKey(), failoverDeadlineMs: 0 });
    try {
      await store.set('k', 'value-PLAIN-77', 30_000);
      await server.stop();
      for (const call of [
        () => store.get('k'),
        () => store.set('k', 'value-PLAIN-77', 1000),
        () => store.acquireLock('l', 1000),
      ]) {
        const { error, ms } = await failure(call);
        expect(error).toBeInstanceOf(CandescentUnavailableError);
        expect(ms).toBeLessThan(2000);
        const text = `${(error as Error).message} ${JSON.stringify(error)}`;
        // Clients get fixed text; what failed goes to the log.
        expect((error as Error).message).toBe(STORE_UNAVAILABLE_MESSAGE);
        expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|max ?retries|Connection is closed/i);
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain('value-PLAIN-77');
      }
      // ioredis reports the refused reconnection on its own schedule: calls made before it has
      // seen the socket close fail on the dead socket instead (as a call may on any Node or ioredis
      // version), so the warning that says why Redis is gone is waited for, within seconds.
      await waitFor(
        () => warningsText(warnings).includes('connection failed'),
        5_000,
        "the 'connection failed' warning",
      );
      // Once the connection is known to be down, a call is refused without being sent.
      const refused = await failure(() => store.acquireLock('l', 1000));
      expect(refused.error).toBeInstanceOf(CandescentUnavailableError);
      expect(refused.ms).toBeLessThan(2000);
      // The call that finds Redis gone warns; calls refused while it is known to be down log at debug.
      const logged = warningsText(warnings) + warningsText(debugLines);
      expect(logged).toMatch(/Redis store unavailable during get: /);
      expect(debugLines).toHaveBeenCalledWith(expect.stringMatching(/Redis store unavailable during acquireLock: /));
      expect(warningsText(warnings)).not.toContain(PASSWORD);
      expect(warningsText(debugLines)).not.toContain(PASSWORD);
    } finally {
      debugLines.mockRestore();
      await store.close();
      await server.stop();
    }
  });

  it('fails fast when nothing listens, naming the network error', async () => {
    const port = await freePort();
    const store = new RedisStore({
      url: `redis://:${PASSWORD}@127.0.0.1:${port}`,
      encryptionKey: newKey(),
      failoverDeadlineMs: 0,
    });
    try {
      const { error, ms } = await failure(() => store.get('k'));
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      expect(ms).toBeLessThan(2000);
      expect((error as CandescentUnavailableError).networkCode).toBe('ECONNREFUSED');
      expect((error as Error).message).not.toContain(PASSWORD);
    } finally {
      await store.close();
    }
  });

  it('listens to the errors of a client the app passed in, and leaves it as it was on close', async () => {
    const port = await freePort();
    // The app added no 'error' listener of its own: ioredis would print every failed reconnection.
    const client = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, disconnectTimeout: 50 });
    const store = new RedisStore({ client, encryptionKey: newKey(), commandTimeoutMs: 300, failoverDeadlineMs: 0 });
    // The store's own listeners, to check on close that they are gone (whatever ioredis itself adds).
    const ours = (['error', 'ready', 'end'] as const).map((event) => ({ event, listeners: client.listeners(event) }));
    try {
      expect(client.listenerCount('error')).toBe(1);
      const { error } = await failure(() => store.get('k'));
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      expect(warnings).toHaveBeenCalledWith(expect.stringContaining('connection failed'));
      // Known to be down now: the next call fails at once instead of waiting in the client's queue.
      const next = await failure(() => store.get('k'));
      expect(next.ms).toBeLessThan(100);
      expect((next.error as CandescentUnavailableError).networkCode).toBe('ECONNREFUSED');
    } finally {
      await store.close();
      client.disconnect();
    }
    for (const { event, listeners } of ours) {
      expect(listeners.length).toBeGreaterThan(0);
      for (const listener of listeners) expect(client.listeners(event)).not.toContain(listener);
    }
  });

  it.each(['url', 'client'] as const)('bounds a hanging server by commandTimeoutMs (store given a %s)', async (via) => {
    const address = blackhole.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `redis://127.0.0.1:${port}`;
    const client = via === 'client' ? new Redis(url, { lazyConnect: true, disconnectTimeout: 50 }) : undefined;
    const store = new RedisStore({
      ...(client ? { client } : { url }),
      encryptionKey: newKey(),
      commandTimeoutMs: 300,
      failoverDeadlineMs: 0,
    });
    try {
      const { error, ms } = await failure(() => store.get('k'));
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1500);
    } finally {
      await store.close();
      client?.disconnect();
    }
  });
});
