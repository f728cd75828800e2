import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentContext } from '@candescent/auth';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { candescentAuthImport } from './ours.app-module';
import { UnrelatedController } from './unrelated.controller';

/**
 * The unrelated route in an app that imports the module and has served a session request: one
 * request context has been opened, as the first request with a session handle opens one. On
 * Node 20 that leaves `AsyncLocalStorage`'s promise hook on for the rest of the process, so the
 * route pays for it although it never runs in a context itself.
 */
export const createApp: BenchAppFactory = async (config) => {
  @Module({ imports: [candescentAuthImport(config, 'memory')], controllers: [UnrelatedController] })
  class PlainWithSessions {}
  const app = await NestFactory.create(PlainWithSessions, QUIET_LOGGER);
  CandescentContext.run({ traceId: 'bench-session-request' }, () => undefined);
  return { app };
};
