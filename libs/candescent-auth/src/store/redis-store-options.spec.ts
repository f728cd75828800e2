import { randomBytes } from 'node:crypto';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { parseNode } from './redis-cluster-nodes';
import { RedisStore } from './redis.store';
import type { RedisStoreOptions } from './redis-store.options';

const key = () => randomBytes(32).toString('base64');

function refusal(options: RedisStoreOptions): CandescentConfigurationError {
  try {
    new RedisStore(options);
  } catch (error) {
    if (error instanceof CandescentConfigurationError) return error;
    throw error;
  }
  throw new Error('the store was built');
}

describe('RedisStore options', () => {
  it.each<[string, RedisStoreOptions, RegExp]>([
    ['no way to reach Redis', { encryptionKey: key() }, /exactly one of `url`.*`sentinels`.*`cluster`.*`client`/],
    [
      'a URL and a cluster',
      { url: 'redis://127.0.0.1:6379', cluster: { nodes: ['127.0.0.1:7000'] }, encryptionKey: key() },
      /exactly one of/,
    ],
    [
      'a cluster without seeds',
      { cluster: { nodes: [] }, encryptionKey: key() },
      /cluster\.nodes must be a non-empty list/,
    ],
    [
      'a seed without a port',
      { cluster: { nodes: ['127.0.0.1:7000', '127.0.0.1'] }, encryptionKey: key() },
      /cluster\.nodes\[1\] must be \{ host, port \} or "host:port"/,
    ],
    [
      'a brace in the key prefix (it would become every key hash tag)',
      { url: 'redis://127.0.0.1:6379', keyPrefix: 'app{1}:', encryptionKey: key() },
      /keyPrefix must be a prefix without braces/,
    ],
    [
      'both key forms',
      { url: 'redis://127.0.0.1:6379', encryptionKey: key(), encryptionKeys: [key()] },
      /encryptionKey must be given, or else encryptionKeys/,
    ],
    ['no key', { url: 'redis://127.0.0.1:6379' }, /encryptionKey must be given, or else encryptionKeys/],
    [
      'a bad key in a list',
      { url: 'redis://127.0.0.1:6379', encryptionKeys: [key(), 'short'] },
      /the key at position 1 \(0 is the newest\)/,
    ],
  ])('refuses %s with a clear error', (_name, options, message) => {
    expect(refusal(options).message).toMatch(message);
  });

  it('builds a cluster store from either seed form, which fails closed while no seed answers', async () => {
    const store = new RedisStore({
      cluster: { nodes: ['127.0.0.1:1', { host: '127.0.0.1', port: 2 }, '[::1]:3'] },
      encryptionKeys: [key(), key()],
      commandTimeoutMs: 200,
    });
    try {
      await expect(store.get('k')).rejects.toMatchObject({ errorCode: 'STORE_UNAVAILABLE', statusCode: 503 });
    } finally {
      await store.close();
    }
  });

  it.each([
    ['127.0.0.1:7000', { host: '127.0.0.1', port: 7000 }],
    ['[::1]:7000', { host: '::1', port: 7000 }],
    ['redis-0.internal:6379', { host: 'redis-0.internal', port: 6379 }],
    [
      { host: '10.0.0.1', port: 7001 },
      { host: '10.0.0.1', port: 7001 },
    ],
  ])('reads the seed %j', (node, parsed) => {
    expect(parseNode(node)).toEqual(parsed);
  });

  it.each([
    '127.0.0.1',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    'redis://127.0.0.1:7000',
    ':7000',
    { host: 'a b', port: 1 },
    7000,
  ])('refuses the seed %j', (node) => {
    expect(parseNode(node)).toBeUndefined();
  });
});
