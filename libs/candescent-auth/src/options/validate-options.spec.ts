import { inspect } from 'node:util';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { CANDESCENT_AUTH_DEFAULTS } from './candescent-auth.defaults';
import { validateOptions } from './validate-options';

const SECRET = 'cfg-secret-Zq81!x';
const valid = {
  baseUrl: 'https://api.candescent.com/digitalbanking',
  consumerKey: 'key-123',
  consumerSecret: SECRET,
  fiId: '00042',
};

function problemsOf(raw: unknown): CandescentConfigurationError {
  try {
    validateOptions(raw);
  } catch (error: unknown) {
    if (error instanceof CandescentConfigurationError) return error;
    throw error;
  }
  throw new Error('expected the options to be rejected');
}

describe('validateOptions', () => {
  it('accepts the minimal options and fills every default', () => {
    const resolved = validateOptions(valid);
    // The defaults themselves are checked against CANDESCENT_AUTH_DEFAULTS (candescent-auth.defaults.spec.ts).
    const { retry, circuitBreaker, session, tokenServices, v1TokenPath, scopes } = CANDESCENT_AUTH_DEFAULTS;
    expect(resolved).toMatchObject({
      baseUrl: 'https://api.candescent.com/digitalbanking',
      origin: 'https://api.candescent.com',
      fiId: '00042',
      tokenServices,
      institutionTokenService: 'v2',
      v1TokenPath,
      userAgent: 'CandescentNestAuth/1.0',
      scopes,
      retry,
      circuitBreaker,
      session,
    });
  });

  it('reads the deprecated circuitBreaker.failureThreshold as minimumCalls', () => {
    expect(validateOptions({ ...valid, circuitBreaker: { failureThreshold: 4 } }).circuitBreaker.minimumCalls).toBe(4);
    expect(
      validateOptions({ ...valid, circuitBreaker: { failureThreshold: 4, minimumCalls: 4 } }).circuitBreaker
        .minimumCalls,
    ).toBe(4);
  });

  it('builds the documented user-agent and picks V1 for institution tokens when only V1 is on', () => {
    const resolved = validateOptions({
      ...valid,
      tokenServices: ['v1'],
      appName: 'iPhone',
      appVersion: '1.0',
      deviceId: 'abc12345',
    });
    expect(resolved.userAgent).toBe('iPhone/1.0/abc12345');
    expect(resolved.institutionTokenService).toBe('v1');
  });

  it('accepts http for loopback hosts only', () => {
    expect(validateOptions({ ...valid, baseUrl: 'http://127.0.0.1:4010' }).origin).toBe('http://127.0.0.1:4010');
    expect(validateOptions({ ...valid, baseUrl: 'http://localhost:4010/' }).baseUrl).toBe('http://localhost:4010');
    expect(validateOptions({ ...valid, baseUrl: 'http://[::1]:4010' }).origin).toBe('http://[::1]:4010');
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['missing baseUrl', { ...valid, baseUrl: undefined }, ['baseUrl: expected the FI gateway URL']],
    [
      'plain http to a remote host',
      { ...valid, baseUrl: 'http://api.candescent.com' },
      ['baseUrl: expected the FI gateway URL, https (http only for a loopback host)'],
    ],
    ['not a URL', { ...valid, baseUrl: 'api.candescent.com' }, ['baseUrl:']],
    ['credentials inside the URL', { ...valid, baseUrl: 'https://user:pw@api.candescent.com' }, ['baseUrl: ']],
    ['ftp scheme', { ...valid, baseUrl: 'ftp://api.candescent.com' }, ['baseUrl: ']],
    [
      'missing consumer key and secret',
      { ...valid, consumerKey: undefined, consumerSecret: undefined },
      ['consumerKey: expected a non-empty string', 'consumerSecret: expected a non-empty string'],
    ],
    [
      'secret with a space',
      { ...valid, consumerSecret: 'has space ' + SECRET },
      ['consumerSecret: expected a non-empty string of printable characters without spaces'],
    ],
    [
      'FI id as a number',
      { ...valid, fiId: 42 },
      ["fiId: expected the FI id as a string of 1-20 letters or digits, leading zeros kept (e.g. '00042')"],
    ],
    [
      'unknown token service',
      { ...valid, tokenServices: ['v3'] },
      ["tokenServices: expected a non-empty list of distinct services out of 'v1' and 'v2'"],
    ],
    ['empty token service list', { ...valid, tokenServices: [] }, ['tokenServices: expected a non-empty list']],
    [
      'institution service not enabled',
      { ...valid, tokenServices: ['v1'], institutionTokenService: 'v2' },
      ["institutionTokenService: expected 'v1' or 'v2', and one of tokenServices"],
    ],
    [
      'timeout as a string',
      { ...valid, requestTimeoutMs: '5000' },
      ['requestTimeoutMs: expected a whole number of milliseconds from 100 to 120000'],
    ],
    [
      'deadline below the timeout',
      { ...valid, requestTimeoutMs: 5_000, requestDeadlineMs: 1_000 },
      ['requestDeadlineMs: expected a whole number of milliseconds from 100 to 600000, not below requestTimeoutMs'],
    ],
    [
      'refresh fraction too large',
      { ...valid, tokenRefreshFraction: 2 },
      ['tokenRefreshFraction: expected a number from 0 to 0.9'],
    ],
    [
      'retry attempts out of range',
      { ...valid, retry: { maxAttempts: 0 } },
      ['retry.maxAttempts: expected a whole number from 1 to 10'],
    ],
    [
      'session cap of zero',
      { ...valid, session: { maxSessionsPerAccount: 0 } },
      ['session.maxSessionsPerAccount: expected a whole number from 1 to 1000'],
    ],
    [
      'retry not an object',
      { ...valid, retry: 3 },
      ['retry: expected an object { maxAttempts, baseDelayMs, maxDelayMs }'],
    ],
    [
      'user-agent part with a slash',
      { ...valid, appName: 'my/app' },
      ['appName: expected letters, digits, dot, underscore or dash'],
    ],
    [
      'scope with a space',
      { ...valid, scopes: ['accounts:read transactions:read'] },
      ['scopes: expected a list of at most 50 scope names'],
    ],
    [
      'a misspelt option',
      { ...valid, consumerSecrett: SECRET },
      ['consumerSecrett: expected nothing: there is no such option; remove it or check its spelling'],
    ],
    [
      'a colon in the consumer key',
      { ...valid, consumerKey: 'key:part' },
      ["consumerKey: expected a non-empty string of printable characters without spaces or ':'"],
    ],
    [
      'a Redis key that is not 32 bytes',
      { ...valid, redis: { url: 'redis://127.0.0.1:6379', encryptionKey: 'x'.repeat(40) } },
      ['redis.encryptionKey: expected 32 bytes as base64 or 64 hex characters'],
    ],
    [
      'a Redis URL of another scheme',
      { ...valid, redis: { url: 'http://127.0.0.1:6379', encryptionKey: 'a'.repeat(64) } },
      ["redis.url: expected a 'redis://' or 'rediss://' URL"],
    ],
    [
      'both a Redis URL and Sentinels',
      {
        ...valid,
        redis: {
          url: 'redis://127.0.0.1:6379',
          sentinels: ['127.0.0.1:26379'],
          name: 'm',
          encryptionKey: 'a'.repeat(64),
        },
      },
      ['redis: expected exactly one of url, sentinels, cluster, client (url and sentinels were given; keep one)'],
    ],
    [
      'Sentinels without a master name',
      { ...valid, redis: { sentinels: [{ host: '127.0.0.1', port: 26379 }], encryptionKey: 'a'.repeat(64) } },
      ['redis.name: expected the Sentinel master group name'],
    ],
    [
      'a Sentinel port out of range',
      {
        ...valid,
        redis: { sentinels: ['127.0.0.1:26379', 'sentinel-b:70000'], name: 'm', encryptionKey: 'a'.repeat(64) },
      },
      ["redis.sentinels: expected a list of 1-32 Sentinel addresses, each 'host:port' or { host, port }"],
    ],
    [
      'two ways to reach Redis',
      {
        ...valid,
        redis: { url: 'redis://127.0.0.1:6379', cluster: { nodes: ['127.0.0.1:7000'] }, encryptionKey: 'a'.repeat(64) },
      },
      ['redis: expected exactly one of url, sentinels, cluster, client (url and cluster were given; keep one)'],
    ],
    [
      'no way to reach Redis',
      { ...valid, redis: { encryptionKey: 'a'.repeat(64) } },
      ['redis: expected exactly one of url, sentinels, cluster, client (none was given)'],
    ],
    [
      'a cluster seed without a port, and one out of range',
      {
        ...valid,
        redis: { cluster: { nodes: ['127.0.0.1', { host: '127.0.0.1', port: 70000 }] }, encryptionKey: 'a'.repeat(64) },
      },
      ["redis.cluster.nodes: expected a list of 1 to 64 seed nodes, each { host, port } or 'host:port'"],
    ],
    [
      'a cluster without seeds',
      { ...valid, redis: { cluster: { nodes: [] }, encryptionKey: 'a'.repeat(64) } },
      ['redis.cluster.nodes: expected a list of 1 to 64 seed nodes'],
    ],
    [
      'both key forms',
      {
        ...valid,
        redis: { url: 'redis://127.0.0.1:6379', encryptionKey: 'a'.repeat(64), encryptionKeys: ['b'.repeat(64)] },
      },
      [
        'redis.encryptionKey: expected exactly one of encryptionKey (one key) and encryptionKeys (a list, newest first)',
      ],
    ],
    [
      'no key at all',
      { ...valid, redis: { url: 'redis://127.0.0.1:6379' } },
      ['redis.encryptionKey: expected exactly one of encryptionKey'],
    ],
    [
      'a bad key in the second position of a rotation list',
      { ...valid, redis: { url: 'redis://127.0.0.1:6379', encryptionKeys: ['a'.repeat(64), 'x'.repeat(40)] } },
      [
        'redis.encryptionKeys[1]: expected 32 bytes as base64 or 64 hex characters (openssl rand -base64 32); position 0 is the newest key',
      ],
    ],
    [
      'the same key twice in a rotation list, written differently',
      {
        ...valid,
        redis: { url: 'redis://127.0.0.1:6379', encryptionKeys: ['a'.repeat(64), 'b'.repeat(64), 'A'.repeat(64)] },
      },
      ['redis.encryptionKeys: expected distinct keys (positions 0 and 2 hold the same key)'],
    ],
    [
      'an empty rotation list',
      { ...valid, redis: { url: 'redis://127.0.0.1:6379', encryptionKeys: [] } },
      ['redis.encryptionKeys: expected a list of 1 to 10 keys, newest first'],
    ],
    [
      'a failure rate of 0 %',
      { ...valid, circuitBreaker: { failureRateThreshold: 0 } },
      ['circuitBreaker.failureRateThreshold: expected a whole percentage from 1 to 100'],
    ],
    [
      'a failure rate as a share',
      { ...valid, circuitBreaker: { failureRateThreshold: 0.5 } },
      ['circuitBreaker.failureRateThreshold: expected a whole percentage'],
    ],
    [
      'a sliding window under a second',
      { ...valid, circuitBreaker: { slidingWindowMs: 500 } },
      ['circuitBreaker.slidingWindowMs: expected a whole number of milliseconds from 1000'],
    ],
    [
      'no half-open probes',
      { ...valid, circuitBreaker: { halfOpenProbes: 0 } },
      ['circuitBreaker.halfOpenProbes: expected a whole number from 1 to 100'],
    ],
    [
      'minimumCalls of 0',
      { ...valid, circuitBreaker: { minimumCalls: 0 } },
      ['circuitBreaker.minimumCalls: expected a whole number from 1 to 10000'],
    ],
    [
      'both the old and the new name, different',
      { ...valid, circuitBreaker: { failureThreshold: 5, minimumCalls: 20 } },
      ['circuitBreaker.failureThreshold: expected left out when minimumCalls is set'],
    ],
    [
      'token path without a slash',
      { ...valid, v2TokenPath: 'oauth2/v1/token' },
      ["v2TokenPath: expected a path starting with '/'"],
    ],
  ];

  it('takes Sentinels as host:port strings or objects and resolves them to objects', () => {
    const resolved = validateOptions({
      ...valid,
      redis: {
        sentinels: ['sentinel-a.internal:26379', '[::1]:26380', { host: '10.0.0.7', port: 26381 }],
        name: 'candescent-master',
        encryptionKey: 'a'.repeat(64),
      },
    });
    expect(resolved.redis?.sentinels).toEqual([
      { host: 'sentinel-a.internal', port: 26379 },
      { host: '::1', port: 26380 },
      { host: '10.0.0.7', port: 26381 },
    ]);
    expect(resolved.redis?.name).toBe('candescent-master');
    expect(resolved.redis?.url).toBeUndefined();
  });

  it.each(cases)('rejects %s with a message that names the field', (_name, raw, expected) => {
    const error = problemsOf(raw);
    expect(error.message).toMatch(/^Invalid CandescentAuthModule options \(\d+ problems?\):/);
    for (const line of expected) expect(error.message).toContain(line);
    expect(error.problems.length).toBe(expected.length);
    expect(error.getStatus()).toBe(500);
  });

  it('lists every bad field in one error', () => {
    const error = problemsOf({ baseUrl: 'http://example.com', fiId: '', consumerKey: '', requestTimeoutMs: -1 });
    expect(error.problems.map((p) => p.field).sort()).toEqual([
      'baseUrl',
      'consumerKey',
      'consumerSecret',
      'fiId',
      'requestTimeoutMs',
    ]);
    expect(error.message).toContain('(5 problems)');
  });

  it('never echoes a secret, even one put in the wrong field', () => {
    const error = problemsOf({
      ...valid,
      baseUrl: SECRET,
      fiId: SECRET,
      consumerSecret: `${SECRET}\n`,
      consumerKey: SECRET,
    });
    for (const text of [error.message, JSON.stringify(error), inspect(error), String(error.stack)]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('rejects a non-object', () => {
    expect(problemsOf(null).message).toContain('expected an object with baseUrl, consumerKey, consumerSecret and fiId');
    expect(problemsOf('https://x').problems).toEqual([{ field: '(options)', expected: 'an object' }]);
  });

  it('accepts a cluster in both seed forms and a rotation list, and never echoes a key', () => {
    const newest = 'c'.repeat(64);
    const resolved = validateOptions({
      ...valid,
      redis: {
        cluster: { nodes: ['127.0.0.1:7000', { host: 'redis-2.internal', port: 7001 }, '[::1]:7002'] },
        encryptionKeys: [newest, 'd'.repeat(64)],
      },
    });
    expect(resolved.redis?.cluster?.nodes).toHaveLength(3);
    expect(resolved.redis?.encryptionKeys).toEqual([newest, 'd'.repeat(64)]);
    const error = problemsOf({
      ...valid,
      redis: { url: 'redis://127.0.0.1:6379', encryptionKeys: [newest, `${SECRET}${SECRET}`] },
    });
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(newest);
  });
});
