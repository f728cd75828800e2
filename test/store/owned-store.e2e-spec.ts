import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import {
  CandescentConfigurationError,
  CandescentHealthIndicator,
  CandescentSessionService,
  MemoryStore,
} from '@candescent/auth';
import { type CandescentSandbox, checkCandescentAuthOptions, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { DelegatingStore } from '../support/delegating-store';
import { createTokenModule } from '../support/module';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { sandboxOptions, startSandbox } from '../support/sandbox';

/** An app's own store: a memory store that records what the module asks of it. */
class RecordingStore extends DelegatingStore {
  readonly writes: string[] = [];
  closed = false;

  constructor() {
    super(new MemoryStore());
  }

  override set(key: string, value: string, ttlMs: number) {
    this.writes.push(key);
    return super.set(key, value, ttlMs);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const alice = DEMO_CUSTOMERS[0];

describe('stores the app owns', () => {
  let sandbox: CandescentSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('keeps sessions in a store passed as the store option, and leaves it open on shutdown', async () => {
    const store = new RecordingStore();
    const module = await createTokenModule(sandbox, { store });
    const sessions = module.moduleRef.get(CandescentSessionService);
    const login = await sessions.login({ username: alice.username, password: alice.password });
    expect(store.writes.length).toBeGreaterThan(0);
    expect((await sessions.authenticate(login.sessionToken)).session.tokens.customer.loginId).toBe(alice.username);
    await module.close();
    expect(store.closed).toBe(false);
  });

  it("puts the store's reachability in the health detail, without changing the status", async () => {
    const memory = await createTokenModule(sandbox);
    expect((await memory.moduleRef.get(CandescentHealthIndicator).check()).candescent.store).toBe('up');
    await memory.close();

    const store = new RecordingStore();
    const module = await createTokenModule(sandbox, { store });
    const health = module.moduleRef.get(CandescentHealthIndicator);
    expect((await health.check()).candescent).toMatchObject({ status: 'up', store: 'up' });
    store.get = () => Promise.reject(new Error('the store is down'));
    expect((await health.check()).candescent).toMatchObject({ status: 'up', store: 'down' });
    await expect(health.store()).resolves.toBe('down');
    await module.close();
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a store beside redis',
      {
        store: new RecordingStore(),
        redis: { url: 'redis://127.0.0.1:6379', encryptionKey: randomBytes(32).toString('base64') },
      },
      'store',
    ],
    ['a store without the methods', { store: { get: () => undefined } }, 'store'],
    ['redis with neither url nor client', { redis: { encryptionKey: randomBytes(32).toString('base64') } }, 'redis'],
    [
      'redis with both url and sentinels',
      {
        redis: {
          url: 'redis://127.0.0.1:6379',
          sentinels: ['127.0.0.1:26379'],
          name: 'mymaster',
          encryptionKey: randomBytes(32).toString('base64'),
        },
      },
      'redis',
    ],
    [
      'sentinels without a master name',
      { redis: { sentinels: ['127.0.0.1:26379'], encryptionKey: randomBytes(32).toString('base64') } },
      'redis.name',
    ],
    [
      'a master name without sentinels',
      { redis: { url: 'redis://127.0.0.1:6379', name: 'mymaster', encryptionKey: randomBytes(32).toString('base64') } },
      'redis.name',
    ],
    [
      'a sentinel address without a port',
      {
        redis: {
          sentinels: ['127.0.0.1', { host: '127.0.0.1', port: 26379 }],
          name: 'mymaster',
          encryptionKey: randomBytes(32).toString('base64'),
        },
      },
      'redis.sentinels',
    ],
    [
      'redis with neither url, client nor cluster',
      { redis: { encryptionKey: randomBytes(32).toString('base64') } },
      'redis',
    ],
    [
      'redis with both url and client',
      { redis: { url: 'redis://127.0.0.1:6379', client: {}, encryptionKey: randomBytes(32).toString('base64') } },
      'redis.client',
    ],
  ])('refuses %s at start-up, naming the field', (_name, overrides, field) => {
    let error: unknown;
    try {
      checkCandescentAuthOptions({ ...sandboxOptions(sandbox), ...overrides });
    } catch (thrown: unknown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CandescentConfigurationError);
    expect((error as CandescentConfigurationError).problems.map((problem) => problem.field)).toContain(field);
  });
});

describeRedis("the app's own ioredis client", () => {
  let sandbox: CandescentSandbox;
  let redis: RedisServerHandle;
  let client: Redis;

  beforeAll(async () => {
    sandbox = await startSandbox();
    redis = await startRedisServer();
    client = new Redis(redis.url, { lazyConnect: false });
  });

  afterAll(async () => {
    await client.quit();
    await redis.stop();
    await sandbox.stop();
  });

  it('keeps sessions in Redis through that client, encrypted, and never quits it', async () => {
    const module = await createTokenModule(sandbox, {
      redis: { client, encryptionKey: randomBytes(32).toString('base64') },
    });
    const login = await module.moduleRef
      .get(CandescentSessionService)
      .login({ username: alice.username, password: alice.password });
    const keys = await client.keys('candescent:*');
    expect(keys.length).toBeGreaterThan(0);
    const values = await Promise.all(keys.map((key) => client.get(key)));
    for (const value of values) {
      expect(value).not.toContain(login.sessionToken);
      expect(value).not.toContain(alice.password);
    }
    await module.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
  });
});
