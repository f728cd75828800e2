import { randomBytes } from 'node:crypto';
import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type IssuedTokens, SandboxTokenStore } from '../../libs/candescent-sandbox/src/sandbox-token-store';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { type ErrorBody, type Reply, type RunningSample, startSample } from '../support/app-testing';
import { FakeClock } from '../support/clock';
import { LogCapture } from '../support/logs';
import { createTokenModule, type OpenedModule } from '../support/module';
import { describeRedis, freePort, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { refreshAtSandbox, startSandbox } from '../support/sandbox';
import { UnhandledRejections } from '../support/unhandled-rejections';
import { waitFor } from '../support/wait';
import { expectStoreUnavailable } from '../support/store-unavailable';

const [alice, bob] = DEMO_CUSTOMERS;

// Redis dying, hanging or missing must never leave a promise rejection unhandled.
let rejections: UnhandledRejections;
beforeAll(() => {
  rejections = new UnhandledRejections();
});
afterAll(() => {
  rejections.stop();
  expect(rejections.reasons).toEqual([]);
});

/** The part of `GET /health` these suites read. */
interface HealthBody {
  details: { candescent: { status: string; store: string } };
}

/**
 * Redis goes down under a running app: clients get a fixed 503 that names no host, port or
 * driver setting (those go to the log, under the answer's trace id), and a login that could not
 * store its session does not leave the customer's new tokens alive upstream.
 */
describeRedis('the sample app when Redis is down', () => {
  let redis: RedisServerHandle;
  let sample: RunningSample;
  let issueSpy: jest.SpyInstance<IssuedTokens, Parameters<SandboxTokenStore['issue']>>;
  const logs = new LogCapture();

  beforeAll(async () => {
    issueSpy = jest.spyOn(SandboxTokenStore.prototype, 'issue');
    redis = await startRedisServer();
    sample = await startSample({
      REDIS_URL: redis.url,
      CANDESCENT_STORE_KEY: randomBytes(32).toString('base64'),
      LOGIN_RATE_LIMIT: '100',
    });
    sample.app.useLogger(logs);
  });

  afterAll(async () => {
    await sample.close();
    await redis.stop();
    issueSpy.mockRestore();
  });

  const expectFixed503 = (reply: Reply): ErrorBody => expectStoreUnavailable(reply, [redis.port]);

  let handle: string;

  it('answers a guarded request with fixed text and logs the cause under its trace id', async () => {
    handle = await sample.client.sessionFor(alice);
    expect((await sample.client.get('/me', handle)).status).toBe(200);
    await redis.stop();

    const body = expectFixed503(await sample.client.get('/me', handle));
    expect(body.traceId).toMatch(/^[0-9a-f-]{36}$/);
    // A warning when this call found Redis gone, a debug line when the connection already knew.
    const logged = logs.lines().find((line) => line.includes(`trace ${body.traceId ?? ''}`));
    expect(logged).toMatch(/Redis store unavailable during get \(trace [0-9a-f-]{36}\): .*ECONNREFUSED/);
    expect(logs.texts().join('\n')).not.toContain(handle);
  });

  it('answers a login it cannot store with fixed text and revokes the tokens it was just given', async () => {
    const issuedBefore = issueSpy.mock.results.length;
    const reply = await sample.client.login(bob.username, bob.password);
    const body = expectFixed503(reply);
    // The login's log lines carry the trace id its answer shows.
    expect(body.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.lines().find((line) => line.includes(`trace ${body.traceId ?? ''}`))).toMatch(
      /Redis store unavailable during \w+ \(trace [0-9a-f-]{36}\)/,
    );
    const issued = issueSpy.mock.results.slice(issuedBefore).flatMap((r) => (r.type === 'return' ? [r.value] : []));
    expect(issued).toHaveLength(1);
    const [tokens] = issued as [IssuedTokens];
    expect(sample.sandbox.isAccessTokenValid(tokens.accessToken)).toBe(false);
    expect(await refreshAtSandbox(sample.sandbox, tokens.refreshToken ?? '')).not.toBe(200);
    expect(logs.texts().join('\n')).not.toContain(tokens.accessToken);
  });

  it('answers logout and every guarded route with the same fixed text; institution calls and the app go on', async () => {
    expectFixed503(
      await sample.client.call('/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${handle}` } }),
    );
    expectFixed503(await sample.client.get('/accounts', handle));
    expect((await sample.client.get(`/institution/accounts?loginId=${alice.username}`)).status).toBe(200);
    const health = await sample.client.get('/health');
    expect(health.json<HealthBody>().details.candescent).toMatchObject({ status: 'up', store: 'down' });
  });

  it('recovers without a restart when Redis is back on its address', async () => {
    redis = await startRedisServer({ port: redis.port });
    // The data went with the old process (no persistence): a new login, then everything works.
    await waitFor(async () => (await sample.client.login(bob.username, bob.password)).status === 200, 5_000, 'a login');
    const fresh = await sample.client.sessionFor(alice);
    expect((await sample.client.get('/me', fresh)).status).toBe(200);
    expect((await sample.client.get('/accounts', fresh)).status).toBe(200);
    expect((await sample.client.get('/health')).json<HealthBody>().details.candescent.store).toBe('up');
    // Down and back are each told once, however many calls failed in between.
    expect(logs.linesAt('warn').filter((line) => line.includes('Redis store connection failed'))).toHaveLength(1);
    expect(logs.lines().filter((line) => line.includes('Redis store connection restored'))).toHaveLength(1);
    expect(rejections.reasons).toEqual([]);
  });
});

/** Redis that stops answering (frozen, connections open): each call is bounded, then all is as before. */
describeRedis('the sample app when Redis hangs', () => {
  let redis: RedisServerHandle;
  let sample: RunningSample;

  beforeAll(async () => {
    redis = await startRedisServer();
    sample = await startSample({ REDIS_URL: redis.url, CANDESCENT_STORE_KEY: randomBytes(32).toString('base64') });
    sample.app.useLogger(new LogCapture());
  });

  afterAll(async () => {
    await sample.close();
    await redis.stop();
  });

  it('answers 503 within about the failover deadline, then serves the same session once Redis runs again', async () => {
    const handle = await sample.client.sessionFor(alice);
    redis.pause();
    try {
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 10 }, () => sample.client.get('/me', handle)));
      const took = Date.now() - started;
      for (const reply of replies) expectStoreUnavailable(reply, [redis.port]);
      // Each call waits out a possible failover (15 s by default, then the attempt under way), never a queue
      // that grows with the calls.
      expect(took).toBeLessThan(22_000);
      expect((await sample.client.get(`/institution/accounts?loginId=${alice.username}`)).status).toBe(200);
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await sample.client.get('/me', handle)).status === 200, 5_000, 'the session back');
    expect((await sample.client.get('/accounts', handle)).status).toBe(200);
  });
});

/** Redis not there when the app starts: the app starts anyway, and picks Redis up when it comes. */
describeRedis('the sample app when Redis is down at start', () => {
  let port: number;
  let redis: RedisServerHandle | undefined;
  let sample: RunningSample;
  const logs = new LogCapture();

  beforeAll(async () => {
    port = await freePort();
    sample = await startSample({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      CANDESCENT_STORE_KEY: randomBytes(32).toString('base64'),
      LOGIN_RATE_LIMIT: '100',
    });
    sample.app.useLogger(logs);
  });

  afterAll(async () => {
    await sample.close();
    await redis?.stop();
  });

  it('starts, serves institution calls from the process, answers session routes 503, and works once Redis is started', async () => {
    for (let i = 0; i < 5; i++)
      expect((await sample.client.get(`/institution/accounts?loginId=${alice.username}`)).status).toBe(200);
    expectStoreUnavailable(await sample.client.login(alice.username, alice.password), [port]);
    expect((await sample.client.get('/health')).json<HealthBody>().details.candescent).toMatchObject({
      status: 'up',
      store: 'down',
    });

    redis = await startRedisServer({ port });
    await waitFor(async () => (await sample.client.login(bob.username, bob.password)).status === 200, 5_000, 'a login');
    const handle = await sample.client.sessionFor(alice);
    expect((await sample.client.get('/accounts', handle)).status).toBe(200);
    expect((await sample.client.get('/health')).json<HealthBody>().details.candescent.store).toBe('up');
    expect(logs.linesAt('warn').filter((line) => line.includes('shared token store is unavailable'))).toHaveLength(1);
    expect(rejections.reasons).toEqual([]);
  });
});

/**
 * Institution tokens while the shared store fails: every call is served (each fetch goes to
 * Candescent), and the log says so once per outage rather than once per call.
 */
describeRedis('institution tokens while the shared store is down', () => {
  let redis: RedisServerHandle;
  let sandbox: CandescentSandbox;
  let module: OpenedModule;
  const clock = new FakeClock({ start: Date.now(), sleeps: 'real' });

  beforeAll(async () => {
    redis = await startRedisServer();
    sandbox = await startSandbox();
    module = await createTokenModule(
      sandbox,
      { redis: { url: redis.url, encryptionKey: randomBytes(32).toString('base64') } },
      { clock },
    );
  });

  afterAll(async () => {
    await module.close();
    await sandbox.stop();
    await redis.stop();
  });

  const storeLines = () => module.logs.lines().filter((line) => line.includes('shared token store'));

  it('warns once for 20 fetches in an outage, and says once when the store is back', async () => {
    module.tokens.invalidate((await module.tokens.getInstitutionToken()).accessToken);
    await redis.stop();
    sandbox.resetCounters();
    for (let i = 0; i < 20; i++) {
      // A token dropped after a 401: the next call has to go past the shared store again.
      const token = await module.tokens.getInstitutionToken();
      module.tokens.invalidate(token.accessToken);
      clock.advance(100);
    }
    expect(sandbox.counters().tokenRequests).toBe(20);
    expect(storeLines()).toEqual([expect.stringContaining('The shared token store is unavailable')]);
    // The store itself logged its failures a bounded number of times too, not per call.
    expect(module.logs.linesAt('warn').length).toBeLessThanOrEqual(4);

    redis = await startRedisServer({ port: redis.port });
    await waitFor(() => module.logs.lines().some((line) => line.includes('Redis store connection restored')), 5_000);
    clock.advance(5_000);
    const token = await module.tokens.getInstitutionToken();
    module.tokens.invalidate(token.accessToken);
    await module.tokens.getInstitutionToken();
    expect(storeLines()).toEqual([
      expect.stringContaining('The shared token store is unavailable'),
      expect.stringContaining('The shared token store is back'),
    ]);
  });
});
