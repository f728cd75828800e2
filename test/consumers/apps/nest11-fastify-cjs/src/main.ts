import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootAndRun } from './boot.js';

bootAndRun((module) =>
  NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: ['error'] }),
).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
