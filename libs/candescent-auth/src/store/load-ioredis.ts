import type IORedis from 'ioredis';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { loadOptionalPeer } from '../peers/optional-peer';

/**
 * The ioredis client class, loaded only when a Redis store is configured: `ioredis` is an
 * optional peer dependency, so apps on the in-memory store never install it.
 * @throws CandescentConfigurationError saying how to install it when it is missing.
 */
export function loadIoredis(): typeof IORedis {
  const loaded = loadOptionalPeer('ioredis') as (typeof IORedis & { default?: typeof IORedis }) | undefined;
  if (!loaded) {
    throw new CandescentConfigurationError(
      'The Redis store (the `redis` option or RedisStore) needs the `ioredis` package, which is not installed. ' +
        'Install it next to @candescent/auth: npm install ioredis (version 5 or 6).',
      [{ field: 'redis', expected: 'the ioredis package (v5 or v6) installed in the app' }],
    );
  }
  return loaded.default ?? loaded;
}
