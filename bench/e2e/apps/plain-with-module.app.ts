import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentContext } from '@candescent/auth';
import { type BenchApp, type BenchAppConfig, type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { candescentAuthImport } from './ours.app-module';
import { UnrelatedController } from './unrelated.controller';

/**
 * The unrelated route in an app that imports the module (memory store) and never uses it there.
 * With `sessionsInUse`, one request context has been opened first, as the first request with a
 * session handle opens one: on Node 20 that leaves `AsyncLocalStorage`'s promise hook on for the
 * rest of the process, so the route pays for it although it never runs in a context itself.
 */
export async function createPlainWithModuleApp(config: BenchAppConfig, sessionsInUse: boolean): Promise<BenchApp> {
  @Module({ imports: [candescentAuthImport(config, 'memory')], controllers: [UnrelatedController] })
  class PlainWithModule {}
  const app = await NestFactory.create(PlainWithModule, QUIET_LOGGER);
  if (sessionsInUse) CandescentContext.run({ traceId: 'bench-session-request' }, () => undefined);
  return { app };
}

export const createApp: BenchAppFactory = (config) => createPlainWithModuleApp(config, false);
