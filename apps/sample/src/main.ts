import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { CandescentAuthError } from '@candescent/auth';
import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from '@candescent/sandbox';
import { createSampleApp } from './create-sample-app';

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
  const url = await sample.app.getUrl();
  logger.log(`Sample app listening on ${url}`);
  logger.log(`Demo page: ${url}/ (session transport: ${sample.environment.SESSION_TRANSPORT}); API docs: ${url}/docs`);
  if (sample.metricsUrl) logger.log(`Metrics for Prometheus: ${sample.metricsUrl} (loopback only)`);
  if (sample.sandbox) {
    const [demo] = DEMO_CUSTOMERS;
    const customers = (list: typeof DEMO_CUSTOMERS) => list.map((c) => `${c.username} / ${c.password}`).join(', ');
    logger.log(
      `Embedded Candescent sandbox on ${sample.sandbox.url} with two FIs (set CANDESCENT_INSTITUTIONS or CANDESCENT_BASE_URL to use a real environment)`,
    );
    logger.log(`Demo customers of cu-north (FI 00042, the default): ${customers(DEMO_CUSTOMERS)}`);
    logger.log(`Demo customers of cu-harbor (FI 00043): ${customers(SECOND_FI_DEMO_CUSTOMERS)}`);
    logger.log(`Try: curl -s '${url}/institution/accounts?loginId=${demo.username}&institution=cu-harbor'`);
    logger.log(
      `Then: curl -s -X POST ${url}/auth/login -H 'Content-Type: application/json' -d '{"username":"${demo.username}","password":"${demo.password}","institution":"cu-harbor"}'`,
    );
  }
}

main().catch((error: unknown) => {
  // Nest's start-up handler has already logged the module's errors (an invalid configuration):
  // print only what it has not. Start-up errors are secret-free.
  if (!(error instanceof CandescentAuthError)) console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
