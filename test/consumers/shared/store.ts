import type { CandescentAuthModuleOptions } from '@candescent/auth';

/**
 * Sessions in Redis when the matrix started a redis-server for this app (CONSUMER_REDIS_URL),
 * in memory otherwise. Each app keeps its keys under a prefix of its own.
 */
export function storeOptions(): Pick<CandescentAuthModuleOptions, 'redis'> {
  const url = process.env.CONSUMER_REDIS_URL;
  if (!url) return {};
  return {
    redis: {
      url,
      encryptionKey: Buffer.alloc(32, 7).toString('base64'),
      keyPrefix: `${process.env.npm_package_name ?? 'consumer'}:`,
    },
  };
}
