import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { CandescentAuthError } from '@candescent/auth';
import { createSampleApp } from './create-sample-app';
import { startUpBanner } from './start-up-banner';

async function main(): Promise<void> {
  const logger = new Logger('Sample');
  // A .env file is optional; variables already set in the environment win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  // The demo page at / needs the cookie transport, so `npm start` uses it unless told otherwise;
  // createSampleApp itself keeps the bearer default (SESSION_TRANSPORT=bearer for the curl lines).
  const sample = await createSampleApp({
    ...process.env,
    SESSION_TRANSPORT: process.env.SESSION_TRANSPORT || 'cookie',
  });
  await sample.app.listen(sample.environment.PORT, '127.0.0.1');
  const lines = startUpBanner({
    url: await sample.app.getUrl(),
    transport: sample.environment.SESSION_TRANSPORT,
    metricsUrl: sample.metricsUrl,
    sandboxUrl: sample.sandbox?.url,
  });
  for (const line of lines) logger.log(line);
}

main().catch((error: unknown) => {
  // Nest's start-up handler has already logged the module's errors (an invalid configuration):
  // print only what it has not. Start-up errors are secret-free.
  if (!(error instanceof CandescentAuthError)) console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
