import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { AppModule } from './app.module.js';
import { runScenario } from './scenario.js';

/**
 * Starts the sandbox, boots the app with the adapter the caller picks, and runs the scenario
 * against it. Prints one line per step; throws on the first failure.
 */
export async function bootAndRun(create: (module: DynamicModule) => Promise<INestApplication>): Promise<void> {
  const sandbox = new CandescentSandbox();
  const baseUrl = await sandbox.start();
  const app = await create(AppModule.forCandescent({ baseUrl, ...sandbox.credentials }));
  try {
    await app.listen(0, '127.0.0.1');
    const [customer] = DEMO_CUSTOMERS;
    const steps = await runScenario(await app.getUrl(), customer);
    console.log(`guarded app on the sandbox: ${steps.join(', ')}: ok`);
  } finally {
    await app.close();
    await sandbox.stop();
  }
}
