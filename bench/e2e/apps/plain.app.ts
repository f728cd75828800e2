import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { UnrelatedController } from './unrelated.controller';

/** The reference of the unrelated-route scenario: the same app without the module. */
export const createApp: BenchAppFactory = async () => {
  @Module({ controllers: [UnrelatedController] })
  class PlainModule {}
  return { app: await NestFactory.create(PlainModule, QUIET_LOGGER) };
};
