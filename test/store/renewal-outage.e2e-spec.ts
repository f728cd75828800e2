import { randomBytes } from 'node:crypto';
import {
  type CandescentStore,
  CandescentSessionService,
  CandescentUnavailableError,
  MemoryStore,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { RedisStore, STORE_UNAVAILABLE_MESSAGE } from '../../libs/candescent-auth/src/store/redis.store';
import { FakeClock } from '../support/clock';
import { DelegatingStore, type RequiredStoreMethod } from '../support/delegating-store';
import { createTokenModule, type OpenedModule } from '../support/module';
import { describeRedis, freePort } from '../support/redis-server';
import { startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const alice = DEMO_CUSTOMERS[0];
const TOKEN_TTL_S = 600;

/**
 * A store whose chosen methods fail the way Redis does when it is gone: they are sent to a
 * `RedisStore` on a port nothing listens on, so the error is the real one.
 */
class StoreFailingAt extends DelegatingStore {
  readonly failing = new Set<RequiredStoreMethod>();

  constructor(
    working: CandescentStore,
    private readonly dead: CandescentStore,
  ) {
    super(working);
  }

  protected override target(method: RequiredStoreMethod): CandescentStore {
    return this.failing.has(method) ? this.dead : this.inner;
  }
}

/**
 * Redis failing between reading a session and renewing its tokens (the renewal lock, or the
 * write of the renewed tokens): the request fails closed with the fixed 503 when the session's
 * tokens no longer work, is served with them while they still do, and the next request after
 * Redis is back renews as usual.
 */
describeRedis('renewing a session while the store fails', () => {
  let sandbox: CandescentSandbox;
  let module: OpenedModule;
  let sessions: CandescentSessionService;
  let dead: RedisStore;
  let store: StoreFailingAt;
  const clock = new FakeClock({ sleeps: 'real' });

  beforeAll(async () => {
    sandbox = await startSandbox({ accessTokenTtlSeconds: TOKEN_TTL_S, now: () => clock.now() });
    dead = new RedisStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      encryptionKey: randomBytes(32).toString('base64'),
      commandTimeoutMs: 300,
    });
    store = new StoreFailingAt(new MemoryStore({ now: () => clock.now() }), dead);
    module = await createTokenModule(sandbox, { store, tokenRefreshJitter: 0 }, { clock });
    sessions = module.moduleRef.get(CandescentSessionService);
  });

  afterAll(async () => {
    await module.close();
    await dead.close();
    await sandbox.stop();
  });

  async function unavailable(work: () => Promise<unknown>): Promise<CandescentUnavailableError> {
    const error = await work().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CandescentUnavailableError);
    return error as CandescentUnavailableError;
  }

  it.each<[string, RequiredStoreMethod]>([
    ['the renewal lock', 'acquireLock'],
    ['the write of the renewed tokens', 'replaceIfLocked'],
  ])('fails closed with the fixed 503 when %s fails and the tokens have expired', async (_what, method) => {
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const issued = (await sessions.authenticate(sessionToken)).session.tokens.v2;
    clock.advance(TOKEN_TTL_S * 1_000 + 1_000);
    store.failing.add(method);
    try {
      const error = await unavailable(() => sessions.authenticate(sessionToken));
      expect(error.getStatus()).toBe(503);
      expect(error.message).toBe(STORE_UNAVAILABLE_MESSAGE);
      expect(error.errorCode).toBe('STORE_UNAVAILABLE');
    } finally {
      store.failing.clear();
    }
    if (method === 'acquireLock') {
      // Nothing was spent: with the store back, the next request renews and is served.
      const renewed = (await sessions.authenticate(sessionToken)).session.tokens.v2;
      expect(renewed?.accessToken).not.toBe(issued?.accessToken);
      expect(renewed?.expiresAt).toBeGreaterThan(clock.now());
    }
  });

  it('serves a request with the tokens it has while they work, when only the renewal fails', async () => {
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const issued = (await sessions.authenticate(sessionToken)).session.tokens.v2;
    // Inside the refresh window (the last 60 s), still valid.
    clock.advance((TOKEN_TTL_S - 30) * 1_000);
    store.failing.add('acquireLock');
    try {
      const served = await sessions.authenticate(sessionToken);
      expect(served.session.tokens.v2?.accessToken).toBe(issued?.accessToken);
      // The renewal runs alongside the request; its failure is logged when it ends.
      await waitFor(
        () => module.logs.linesAt('warn').some((line) => line.includes('Renewing customer tokens failed')),
        5_000,
        'the warning of the failed renewal',
      );
    } finally {
      store.failing.clear();
    }
  });
});
