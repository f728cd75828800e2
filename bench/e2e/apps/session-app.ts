import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentSessionService } from '@candescent/auth';
import { type BenchApp, type BenchAppConfig, QUIET_LOGGER } from './bench-app';
import { CUSTOMER } from './candescent-credentials';
import { HandWrittenGuard } from './hand-written.guard';
import { candescentAuthImport } from './ours.app-module';
import { passwordGrantTokenSet } from './password-grant';
import { SessionController } from './session.controller';

/**
 * An app with `/open`, `/guarded` (the module's guard), `/guarded-hand` (a hand-written guard) and
 * `/guarded-nest` (a guard that admits all), logged in once before the measured window: both
 * session guards know the same handle.
 */
export async function createSessionApp(config: BenchAppConfig, store: 'memory' | 'redis'): Promise<BenchApp> {
  @Module({
    imports: [candescentAuthImport(config, store)],
    controllers: [SessionController],
    providers: [HandWrittenGuard],
  })
  class SessionModule {}
  const app = await NestFactory.create(SessionModule, QUIET_LOGGER);
  await app.init();
  const login = await app
    .get(CandescentSessionService)
    .login({ username: CUSTOMER.username, password: CUSTOMER.password });
  app.get(HandWrittenGuard).add(login.sessionToken, await passwordGrantTokenSet(config.gatewayUrl), 15 * 60_000);
  return { app, sessionHandle: login.sessionToken };
}
