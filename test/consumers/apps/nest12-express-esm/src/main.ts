import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { bootAndRun } from './boot.js';

// Nest 12 is ESM-only, and so is this app; the packages are CommonJS and load through `import`.
await bootAndRun((module) => NestFactory.create(module, { logger: ['error'] }));
