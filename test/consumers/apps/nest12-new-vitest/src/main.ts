import { NestFactory } from '@nestjs/core';
import { bootAndRun } from './boot.js';

// As `nest new` makes it for Nest 12: an ES module with top-level await. The packages are
// CommonJS and load through `import`.
await bootAndRun((module) => NestFactory.create(module, { logger: ['error'] }));
