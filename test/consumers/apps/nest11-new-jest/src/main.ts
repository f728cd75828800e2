import { NestFactory } from '@nestjs/core';
import { bootAndRun } from './boot';

// As `nest new` makes it for Nest 11: CommonJS, so no top-level await.
async function bootstrap() {
  await bootAndRun((module) => NestFactory.create(module, { logger: ['error'] }));
}
bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
