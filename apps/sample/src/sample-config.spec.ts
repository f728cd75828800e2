import { readSampleEnvironment } from './sample-config';

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
    });
    expect(config.REDIS_SENTINELS).toBe('127.0.0.1:26379, sentinel-b:26380');
    expect(config.REDIS_SENTINEL_NAME).toBe('candescent-master');
  });

  it.each([
    [{ REDIS_SENTINELS: '127.0.0.1:26379' }, 'set REDIS_SENTINELS and REDIS_SENTINEL_NAME together'],
    [{ REDIS_SENTINEL_NAME: 'candescent-master' }, 'set REDIS_SENTINELS and REDIS_SENTINEL_NAME together'],
    [
      { REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://127.0.0.1:6379' },
      'REDIS_URL: set REDIS_URL (one Redis server) or REDIS_SENTINELS (Redis behind Sentinel), not both',
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
