import { type DynamicModule } from '@nestjs/common';
import { CandescentAuthModule } from '@candescent/auth';
import type { BenchAppConfig } from './bench-app';
import { CREDENTIALS } from './candescent-credentials';

/** The module as an app would import it, on the memory store or (with `redis`) the Redis store. */
export function candescentAuthImport(
  config: BenchAppConfig,
  store: 'memory' | 'redis',
  maxSessionsPerAccount?: number,
): DynamicModule {
  if (store === 'redis' && (config.redisUrl === undefined || config.encryptionKey === undefined)) {
    throw new Error('the Redis contender needs redisUrl and encryptionKey in its config');
  }
  return CandescentAuthModule.forRoot({
    baseUrl: config.gatewayUrl,
    ...CREDENTIALS,
    ...(store === 'redis' ? { redis: { url: config.redisUrl!, encryptionKey: config.encryptionKey! } } : {}),
    ...(maxSessionsPerAccount === undefined ? {} : { session: { maxSessionsPerAccount } }),
  });
}
