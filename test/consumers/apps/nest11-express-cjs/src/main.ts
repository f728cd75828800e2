import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { NestFactory } from '@nestjs/core';
import { CandescentAuthModule } from '@candescent/auth';
import { appFilterSeesModuleErrors } from './app-filter.js';
import { bootAndRun } from './boot.js';

async function redisWithoutIoredis(): Promise<void> {
  // ioredis is an optional peer that this app does not install: asking for Redis must say so.
  const module = CandescentAuthModule.forRoot({
    baseUrl: 'http://127.0.0.1:1',
    consumerKey: 'k',
    consumerSecret: 's',
    fiId: '00042',
    redis: { url: 'redis://127.0.0.1:1', encryptionKey: Buffer.alloc(32, 7).toString('base64') },
  });
  await assert.rejects(
    NestFactory.createApplicationContext(module, { logger: false, abortOnError: false }),
    /npm install ioredis/,
  );
  console.log('redis configured without ioredis installed: clear error: ok');
}

async function main(): Promise<void> {
  await bootAndRun((module) => NestFactory.create(module, { logger: ['error'] }));
  await redisWithoutIoredis();
  await appFilterSeesModuleErrors();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
