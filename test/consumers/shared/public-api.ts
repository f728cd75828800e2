// Every public name a consumer may reach for, through both entry points, checked as a bundler sees them.
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  CandescentConfigurationError,
  CandescentHttpService,
  CandescentSessionCookies,
  CandescentSessionService,
  CandescentTokenService,
  MemoryStore,
  RedisStore,
  type CandescentAuthModuleOptions,
  type CandescentRedisClient,
  type CandescentStore,
} from '@candescent/auth';
import {
  CandescentSandbox,
  CandescentTesting,
  checkCandescentAuthOptions,
  type SandboxOptions,
} from '@candescent/auth/testing';
import { CandescentSandbox as SandboxFromItsPackage } from '@candescent/sandbox';

export const entryPoints = [
  CandescentAuthGuard,
  CandescentAuthModule,
  CandescentHttpService,
  CandescentSessionCookies,
  CandescentSessionService,
  CandescentTokenService,
];
export const options: CandescentAuthModuleOptions = {
  baseUrl: 'https://api.candescent.com',
  consumerKey: 'k',
  consumerSecret: 's',
  fiId: '00042',
};
export const store: CandescentStore = new MemoryStore();
export const sameSandbox: typeof SandboxFromItsPackage = CandescentSandbox;
export const sandboxOptions: SandboxOptions = { accessTokenTtlSeconds: 60 };
export function redisStore(client: CandescentRedisClient): RedisStore {
  return new RedisStore({ client, encryptionKey: Buffer.alloc(32).toString('base64') });
}
export const configurationError = new CandescentConfigurationError('example');
export function checkOptions(): void {
  checkCandescentAuthOptions(options);
}
export const startTesting: () => Promise<CandescentTesting> = () => CandescentTesting.start();
