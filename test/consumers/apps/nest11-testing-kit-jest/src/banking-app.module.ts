import { Module } from '@nestjs/common';
import { CandescentAuthModule, type CandescentAuthModuleOptions } from '@candescent/auth';
import { AccountsController } from './accounts.controller.js';
import { AuthController } from './auth.controller.js';

/** Where the app reads its Candescent settings in production, as a ConfigService would. */
export function candescentOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CandescentAuthModuleOptions {
  const { CANDESCENT_BASE_URL, CANDESCENT_CONSUMER_KEY, CANDESCENT_CONSUMER_SECRET, CANDESCENT_FIID } = env;
  if (!CANDESCENT_BASE_URL || !CANDESCENT_CONSUMER_KEY || !CANDESCENT_CONSUMER_SECRET || !CANDESCENT_FIID) {
    throw new Error('Set CANDESCENT_BASE_URL, CANDESCENT_CONSUMER_KEY, CANDESCENT_CONSUMER_SECRET and CANDESCENT_FIID');
  }
  return {
    baseUrl: CANDESCENT_BASE_URL,
    consumerKey: CANDESCENT_CONSUMER_KEY,
    consumerSecret: CANDESCENT_CONSUMER_SECRET,
    fiId: CANDESCENT_FIID,
    ...(env.REDIS_URL ? { redis: { url: env.REDIS_URL, encryptionKey: env.CANDESCENT_STORE_KEY } } : {}),
  };
}

/** A consumer's app as it registers the module for production: options from its environment. */
@Module({
  imports: [CandescentAuthModule.forRootAsync({ useFactory: () => candescentOptionsFromEnv() })],
  controllers: [AuthController, AccountsController],
})
export class BankingAppModule {}
