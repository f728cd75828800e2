import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentHttpService } from '@candescent/auth';
import { type BenchApp, type BenchAppConfig, QUIET_LOGGER } from './bench-app';
import { outgoingController } from './outgoing.controller';
import { candescentAuthImport } from './ours.app-module';

/** This module's `CandescentHttpService`, which adds the institution token itself. */
export async function createOursOutgoingApp(config: BenchAppConfig, store: 'memory' | 'redis'): Promise<BenchApp> {
  @Module({ imports: [candescentAuthImport(config, store)], controllers: [outgoingController(CandescentHttpService)] })
  class OursOutgoingModule {}
  return { app: await NestFactory.create(OursOutgoingModule, QUIET_LOGGER) };
}
