import type { BenchAppFactory } from './bench-app';

/**
 * Every app under test by name, loaded only in the child that runs it. To measure a change of
 * the library, rebuild and rerun: each app builds its module from the compiled library.
 */
export const BENCH_APPS = {
  'static-header': async () => (await import('./static-header.app.js')).createApp,
  'ours-memory': async () => (await import('./ours-memory.app.js')).createApp,
  'ours-redis': async () => (await import('./ours-redis.app.js')).createApp,
  'hand-interceptor': async () => (await import('./hand-interceptor.app.js')).createApp,
  badgateway: async () => (await import('./badgateway.app.js')).createApp,
  'axios-auth-refresh': async () => (await import('./axios-auth-refresh.app.js')).createApp,
  plain: async () => (await import('./plain.app.js')).createApp,
  'plain-with-module': async () => (await import('./plain-with-module.app.js')).createApp,
  'plain-with-sessions': async () => (await import('./plain-with-sessions.app.js')).createApp,
  'session-memory': async () => (await import('./session-memory.app.js')).createApp,
  'session-redis': async () => (await import('./session-redis.app.js')).createApp,
} satisfies Record<string, () => Promise<BenchAppFactory>>;

export type BenchAppName = keyof typeof BENCH_APPS;
