import { randomBytes } from 'node:crypto';
import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type IssuedTokens, SandboxTokenStore } from '../../libs/candescent-sandbox/src/sandbox-token-store';
import { type ErrorBody, type Reply, type RunningSample, startSample } from '../support/app-testing';
import { LogCapture } from '../support/logs';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { refreshAtSandbox } from '../support/sandbox';
import { expectStoreUnavailable } from '../support/store-unavailable';

const [alice, bob] = DEMO_CUSTOMERS;

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

  it('answers a guarded request with fixed text and logs the cause under its trace id', async () => {
    const handle = await sample.client.sessionFor(alice);
    expect((await sample.client.get('/me', handle)).status).toBe(200);
    await redis.stop();

    const body = expectFixed503(await sample.client.get('/me', handle));
    expect(body.traceId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = logs.linesAt('warn').find((line) => line.includes(`trace ${body.traceId ?? ''}`));
    expect(logged).toMatch(/Redis store unavailable during get \(trace [0-9a-f-]{36}\): .*ECONNREFUSED/);
    expect(logs.texts().join('\n')).not.toContain(handle);
  });

  it('answers a login it cannot store with fixed text and revokes the tokens it was just given', async () => {
    const issuedBefore = issueSpy.mock.results.length;
    const reply = await sample.client.login(bob.username, bob.password);
    expectFixed503(reply);
    const issued = issueSpy.mock.results.slice(issuedBefore).flatMap((r) => (r.type === 'return' ? [r.value] : []));
    expect(issued).toHaveLength(1);
    const [tokens] = issued as [IssuedTokens];
    expect(sample.sandbox.isAccessTokenValid(tokens.accessToken)).toBe(false);
    expect(await refreshAtSandbox(sample.sandbox, tokens.refreshToken ?? '')).not.toBe(200);
    expect(logs.texts().join('\n')).not.toContain(tokens.accessToken);
  });
});
