import type { BenchAppFactory } from './bench-app';

/**
 * Every app under test by name, loaded only in the child that runs it. To measure a change of
 * the library, rebuild and rerun: each app builds its module from the compiled library.
 */
export const BENCH_APPS = {
  'static-header': async () => (await import('./static-header.app')).createApp,
  'ours-memory': async () => (await import('./ours-memory.app')).createApp,
  'ours-redis': async () => (await import('./ours-redis.app')).createApp,
  'hand-interceptor': async () => (await import('./hand-interceptor.app')).createApp,
  badgateway: async () => (await import('./badgateway.app')).createApp,
  'axios-auth-refresh': async () => (await import('./axios-auth-refresh.app')).createApp,
  plain: async () => (await import('./plain.app')).createApp,
  'plain-with-module': async () => (await import('./plain-with-module.app')).createApp,
  'session-memory': async () => (await import('./session-memory.app')).createApp,
  'session-redis': async () => (await import('./session-redis.app')).createApp,
} satisfies Record<string, () => Promise<BenchAppFactory>>;

export type BenchAppName = keyof typeof BENCH_APPS;
