import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describeWithBinary } from '../../../../test/support/system-binary';
import { makeTlsMaterial, OPENSSL, type TlsMaterial } from '../../../../test/support/redis-tls';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { RedisStore } from '../store/redis.store';
import { validateOptions } from './validate-options';

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const encryptionKey = randomBytes(32).toString('base64');
const base = {
  baseUrl: 'https://api.candescent.com',
  consumerKey: 'key-123',
  consumerSecret: 'cfg-secret-Zq81!x',
  fiId: '00042',
};
const withRedis = (redis: Record<string, unknown>) => ({ ...base, redis: { encryptionKey, ...redis } });

function refusal(raw: unknown): CandescentConfigurationError {
  try {
    validateOptions(raw);
  } catch (error: unknown) {
    if (error instanceof CandescentConfigurationError) return error;
    throw error;
  }
  throw new Error('expected the options to be rejected');
}

/** TLS material comes from openssl (certificates cannot be made with node:crypto alone). */
describeWithBinary(OPENSSL, 'redis credentials and TLS options', () => {
  let tls: TlsMaterial;

  beforeAll(async () => {
    tls = await makeTlsMaterial();
  });

  afterAll(async () => {
    await tls.remove();
  });

  it('accepts TLS and ACL credentials for a URL, Sentinels and a Cluster, and never prints them', () => {
    const resolved = validateOptions(
      withRedis({
        url: 'rediss://redis.example.com:6380',
        username: 'candescent-app',
        password: PASSWORD,
        tls: {
          ca: tls.ca,
          cert: Buffer.from(tls.client.cert),
          key: Buffer.from(tls.client.key),
          servername: 'redis.example.com',
        },
      }),
    );
    expect(resolved.redis).toMatchObject({ username: 'candescent-app', password: PASSWORD });
    expect(resolved.redis?.tls?.key).toEqual(Buffer.from(tls.client.key));
    for (const printed of [inspect(resolved, { depth: 10, showHidden: true }), JSON.stringify(resolved)]) {
      expect(printed).not.toContain(PASSWORD);
      expect(printed).not.toContain('PRIVATE KEY');
    }

    const sentinel = validateOptions(
      withRedis({
        sentinels: ['10.0.0.5:26379'],
        name: 'mymaster',
        password: PASSWORD,
        tls: {},
        sentinelUsername: 'sentinel-user',
        sentinelPassword: `${PASSWORD}-s`,
        sentinelTls: { ca: tls.ca },
      }),
    );
    expect(sentinel.redis).toMatchObject({ sentinelUsername: 'sentinel-user', sentinelTls: { ca: tls.ca }, tls: {} });
    expect(
      validateOptions(withRedis({ cluster: { nodes: ['10.0.0.5:7000'] }, password: PASSWORD, tls: {} })).redis,
    ).toMatchObject({ password: PASSWORD, tls: {} });
  });

  const cases: Array<[string, () => Record<string, unknown>, string[]]> = [
    [
      'a CA that is not PEM',
      () => ({ url: 'rediss://h:6380', tls: { ca: 'not a certificate' } }),
      ['redis.tls.ca: expected PEM text (string or Buffer) with one or more CERTIFICATE blocks'],
    ],
    [
      'a client certificate without its key',
      () => ({ url: 'rediss://h:6380', tls: { cert: tls.client.cert } }),
      ['redis.tls.key: expected an unencrypted PEM private key'],
    ],
    [
      'a key that belongs to another certificate',
      () => ({ url: 'rediss://h:6380', tls: { cert: tls.client.cert, key: tls.stranger.key } }),
      [
        'redis.tls.key: expected an unencrypted PEM private key (string or Buffer) that belongs to cert, given with cert (it belongs to another certificate)',
      ],
    ],
    [
      'a certificate given as the key',
      () => ({ url: 'rediss://h:6380', tls: { cert: tls.client.cert, key: tls.client.cert } }),
      ['redis.tls.key: expected an unencrypted PEM private key'],
    ],
    [
      'an IP address as servername',
      () => ({ url: 'rediss://h:6380', tls: { servername: '10.0.0.5' } }),
      ['redis.tls.servername: expected a DNS host name (not an IP address)'],
    ],
    [
      'a switch that would turn certificate checks off',
      () => ({ url: 'rediss://h:6380', tls: { rejectUnauthorized: false } }),
      ['redis.tls.rejectUnauthorized: expected nothing: there is no such option'],
    ],
    [
      'TLS settings with a plain redis:// URL',
      () => ({ url: 'redis://h:6379', tls: { ca: tls.ca } }),
      ["redis.tls: expected given with a 'rediss://' URL ('redis://' is plain TCP)"],
    ],
    [
      'a password in the URL and beside it',
      () => ({ url: `rediss://:${PASSWORD}@h:6380`, password: PASSWORD }),
      ['redis.password: expected left out when the URL carries credentials'],
    ],
    [
      'a user name without a password',
      () => ({ url: 'rediss://h:6380', username: 'candescent-app' }),
      ["redis.password: expected the ACL user's password, given with username"],
    ],
    [
      'a password with a line break',
      () => ({ url: 'rediss://h:6380', password: `${PASSWORD}\r\nFLUSHALL` }),
      ['redis.password: expected a non-empty string of at most 512 characters without control characters'],
    ],
    [
      'a user name with a space',
      () => ({ url: 'rediss://h:6380', username: 'candescent app', password: PASSWORD }),
      ['redis.username: expected an ACL user name of 1-128 printable characters without spaces'],
    ],
    [
      "the Sentinels' settings without Sentinels",
      () => ({ url: 'rediss://h:6380', sentinelPassword: PASSWORD, sentinelTls: {} }),
      [
        'redis.sentinelPassword: expected given with sentinels, and only with them',
        'redis.sentinelTls: expected given with sentinels, and only with them',
      ],
    ],
    [
      'a Sentinel user name without its password',
      () => ({ sentinels: ['10.0.0.5:26379'], name: 'm', sentinelUsername: 'watcher' }),
      ["redis.sentinelPassword: expected the Sentinels' password, given with sentinelUsername"],
    ],
    [
      'a bad Sentinel CA',
      () => ({ sentinels: ['10.0.0.5:26379'], name: 'm', sentinelTls: { ca: 42 } }),
      ['redis.sentinelTls.ca: expected PEM text'],
    ],
    [
      "credentials beside the app's own client",
      () => ({
        client: { get() {}, set() {}, del() {}, eval() {}, on() {} },
        password: PASSWORD,
        tls: {},
      }),
      [
        'redis.password: expected left out with client (your client carries its own settings)',
        'redis.tls: expected left out with client',
      ],
    ],
  ];

  it.each(cases)('refuses %s, naming the field and never the value', (_name, redis, expected) => {
    const error = refusal(withRedis(redis()));
    for (const line of expected) expect(error.message).toContain(line);
    expect(error.problems).toHaveLength(expected.length);
    const printed = [error.message, inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
    expect(printed).not.toContain(PASSWORD);
    expect(printed).not.toContain('PRIVATE KEY');
  });

  it('refuses the same mistakes when RedisStore is built directly', () => {
    expect(() => new RedisStore({ url: 'redis://h:6379', tls: {}, encryptionKey })).toThrow(
      /RedisStore tls must be given with a 'rediss:\/\/' URL/,
    );
    expect(
      () =>
        new RedisStore({
          cluster: { nodes: ['10.0.0.5:7000'] },
          tls: { cert: tls.client.cert, key: tls.stranger.key },
          encryptionKey,
        }),
    ).toThrow(/RedisStore tls\.key must be .*belongs to another certificate/);
  });
});
