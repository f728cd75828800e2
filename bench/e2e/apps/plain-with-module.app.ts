import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { candescentAuthImport } from './ours.app-module';
import { UnrelatedController } from './unrelated.controller';

/** The unrelated route in an app that imports the module (memory store) and never uses it there. */
export const createApp: BenchAppFactory = async (config) => {
  @Module({ imports: [candescentAuthImport(config, 'memory')], controllers: [UnrelatedController] })
  class PlainWithModule {}
  return { app: await NestFactory.create(PlainWithModule, QUIET_LOGGER) };
};
