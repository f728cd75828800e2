import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { BenchAppConfig } from './apps/bench-app';
import { BENCH_APPS, type BenchAppName } from './apps';
import { serveParent } from './child-handle';

/**
 * One app under test in its own process: `node app.process.js <app name> <config JSON>`. Reports
 * its port when listening, and its own CPU time over a window the bench opens and closes, so
 * autocannon's CPU is never counted against the app.
 */
const [name, configJson] = process.argv.slice(2);
let app: INestApplication | undefined;
let cpuAtStart: NodeJS.CpuUsage | undefined;

serveParent(
  async () => {
    if (!(name in BENCH_APPS)) throw new Error(`unknown app "${name}"; known: ${Object.keys(BENCH_APPS).join(', ')}`);
    const createApp = await BENCH_APPS[name as BenchAppName]();
    const created = await createApp(JSON.parse(configJson) as BenchAppConfig);
    app = created.app;
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer() as { address(): AddressInfo }).address().port;
    return { port, ...(created.sessionHandle === undefined ? {} : { sessionHandle: created.sessionHandle }) };
  },
  {
    'cpu-start': () => {
      cpuAtStart = process.cpuUsage();
      return {};
    },
    'cpu-stop': () => {
      const used = process.cpuUsage(cpuAtStart);
      return { cpuMicros: used.user + used.system };
    },
  },
  async () => {
    await app?.close();
  },
);
