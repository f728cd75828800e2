import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { AppModule } from './app.module.js';
import { logIn, runScenario } from './scenario.js';
import { storeOptions } from './store.js';

/**
 * Starts the sandbox, boots the app with the adapter the caller picks, and runs the scenario
 * against it. With Redis (see store.ts) a session opened on one instance must then be served by
 * a second one started after the first closed. Prints one line per step; throws on the first failure.
 */
export async function bootAndRun(create: (module: DynamicModule) => Promise<INestApplication>): Promise<void> {
  const sandbox = new CandescentSandbox();
  const baseUrl = await sandbox.start();
  const store = storeOptions();
  const module = (): DynamicModule => AppModule.forCandescent({ baseUrl, ...sandbox.credentials, ...store });
  const [customer] = DEMO_CUSTOMERS;
  try {
    const steps = await withApp(create(module()), (url) => runScenario(url, customer));
    console.log(`guarded app on the sandbox${store.redis ? ', sessions in Redis' : ''}: ${steps.join(', ')}: ok`);
    if (store.redis) {
      const token = await withApp(create(module()), (url) => logIn(url, customer));
      await withApp(create(module()), async (url) => {
        const auth = { authorization: `Bearer ${token}` };
        const accounts = await fetch(`${url}/accounts`, { headers: auth });
        assert.equal(accounts.status, 200, `a second instance answered ${accounts.status} for the first's session`);
        assert.equal((await fetch(`${url}/auth/logout`, { method: 'POST', headers: auth })).status, 204);
      });
      console.log('a session opened on one instance is served by the next (Redis): ok');
    }
  } finally {
    await sandbox.stop();
  }
}

async function withApp<T>(created: Promise<INestApplication>, use: (url: string) => Promise<T>): Promise<T> {
  const app = await created;
  try {
    await app.listen(0, '127.0.0.1');
    return await use(await app.getUrl());
  } finally {
    await app.close();
  }
}
