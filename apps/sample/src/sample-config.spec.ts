import { randomBytes } from 'node:crypto';
import { clusterSeedsFrom, readSampleEnvironment, storeKeysFrom } from './sample-config';

const KEY = randomBytes(32).toString('base64');
const OTHER = randomBytes(32).toString('hex');

function problemOf(env: Record<string, string>): string {
  try {
    readSampleEnvironment(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the environment was accepted');
}

describe('sample environment: Redis', () => {
  it('takes a cluster and a rotation list', () => {
    const env = readSampleEnvironment({
      REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001,[::1]:7002',
      CANDESCENT_STORE_KEY: `${KEY}, ${OTHER}`,
    });
    expect(clusterSeedsFrom(env.REDIS_CLUSTER_NODES)).toEqual(['127.0.0.1:7000', '127.0.0.1:7001', '[::1]:7002']);
    expect(storeKeysFrom(env.CANDESCENT_STORE_KEY)).toEqual([KEY, OTHER]);
  });

  it.each([
    [
      'a seed without a port',
      { REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1', CANDESCENT_STORE_KEY: KEY },
      'REDIS_CLUSTER_NODES: expected comma-separated host:port seeds',
    ],
    [
      'both REDIS_URL and REDIS_CLUSTER_NODES',
      { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000', CANDESCENT_STORE_KEY: KEY },
      'REDIS_URL, REDIS_CLUSTER_NODES: set one of them, not 2',
    ],
    [
      'no store key with a cluster',
      { REDIS_CLUSTER_NODES: '127.0.0.1:7000' },
      'CANDESCENT_STORE_KEY: required with REDIS_CLUSTER_NODES',
    ],
    [
      'a bad second key',
      { REDIS_URL: 'redis://127.0.0.1:6379', CANDESCENT_STORE_KEY: `${KEY},not-a-key-${'x'.repeat(20)}` },
      'CANDESCENT_STORE_KEY: key 2 of 2 (the first is the newest) is not 32 bytes as base64 or 64 hex characters',
    ],
  ])('refuses %s, saying what to set', (_name, env, expected) => {
    const message = problemOf(env);
    expect(message).toContain(expected);
    expect(message).not.toContain(KEY);
    expect(message).not.toContain('not-a-key');
  });
});

/** How the sample reads Redis behind Sentinel from its environment. */
describe('readSampleEnvironment, Redis settings', () => {
  function problems(env: Record<string, string>): string {
    try {
      readSampleEnvironment(env);
    } catch (error: unknown) {
      return (error as Error).message;
    }
    throw new Error('expected the environment to be refused');
  }

  it('takes REDIS_SENTINELS with REDIS_SENTINEL_NAME', () => {
    const config = readSampleEnvironment({
      REDIS_SENTINELS: '127.0.0.1:26379, sentinel-b:26380',
      REDIS_SENTINEL_NAME: 'candescent-master',
      CANDESCENT_STORE_KEY: KEY,
    });
    expect(config.REDIS_SENTINELS).toBe('127.0.0.1:26379, sentinel-b:26380');
    expect(config.REDIS_SENTINEL_NAME).toBe('candescent-master');
  });

  it.each([
    [{ REDIS_SENTINELS: '127.0.0.1:26379' }, 'set REDIS_SENTINELS and REDIS_SENTINEL_NAME together'],
    [{ REDIS_SENTINEL_NAME: 'candescent-master' }, 'set REDIS_SENTINELS and REDIS_SENTINEL_NAME together'],
    [
      { REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://127.0.0.1:6379' },
      'REDIS_URL, REDIS_SENTINELS: set one of them, not 2',
    ],
    [
      { REDIS_SENTINELS: '127.0.0.1', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS must be comma-separated host:port pairs',
    ],
    [
      { REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'my master' },
      'REDIS_SENTINEL_NAME must be the master group name',
    ],
  ])('refuses %j, saying what to change', (env, expected) => {
    const message = problems(env);
    expect(message).toMatch(/^Invalid sample app environment:/);
    expect(message).toContain(expected);
  });
});

describe('sample environment: metrics port', () => {
  it('serves metrics on 9464 by default, apart from the app', () => {
    expect(readSampleEnvironment({ OTEL_ENABLED: '1' })).toMatchObject({ PORT: 3000, METRICS_PORT: 9464 });
    expect(readSampleEnvironment({ OTEL_ENABLED: '1', PORT: '0', METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
  });

  it.each([
    [{ OTEL_ENABLED: '1', PORT: '8080', METRICS_PORT: '8080' }, 'METRICS_PORT: metrics have a port of their own'],
    [{ METRICS_PORT: 'public' }, 'METRICS_PORT must be an integer number'],
  ])('refuses %j, saying what to change', (env, expected) => {
    expect(problemOf(env)).toContain(expected);
  });
});
