import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Controller, Get, type INestApplication, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  CandescentHttpService,
  CandescentSessionService,
} from '@candescent/auth';
import { CandescentSandbox, DEFAULT_SANDBOX_CREDENTIALS, DEMO_CUSTOMERS } from '@candescent/sandbox';
import { QUIET_LOGGER } from '../e2e/apps/bench-app';
import { outgoingController } from '../e2e/apps/outgoing.controller';
import { runLoad } from '../e2e/load';
import { spread, type Spread } from '../e2e/paired';
import { UPSTREAM_BODY, UPSTREAM_PATH } from '../e2e/upstream.constants';
import { INSTITUTIONS_FULL, INSTITUTIONS_QUICK, type InstitutionsProfile } from './institutions.settings';

/**
 * The institutions scenario, in one process of its own started with --expose-gc:
 * `node --expose-gc institutions.process.js [--quick]`. Prints one JSON line (prefixed
 * `INSTITUTIONS_RESULT `) with the heap per idle institution, start-up times and the paired
 * throughput ratios of an app with `many` institutions against the same app with one.
 *
 * Everything runs in this process (sandbox, gateway, both apps and the load generator), so the
 * throughput numbers are only meaningful as ratios of two apps measured alike in the same run.
 */
export interface InstitutionsResult {
  node: string;
  many: number;
  heap: { bytesPerIdleInstitution: number; heap1: number[]; heapMany: number[] };
  startupMs: { one: Spread; many: Spread; oneSamples: number[]; manySamples: number[] };
  throughput: Array<{
    route: 'guarded' | 'outgoing';
    ratio: Spread;
    okPerSecOne: Spread;
    okPerSecMany: Spread;
    non2xx: number;
    errors: number;
  }>;
  profile: InstitutionsProfile;
  /** 1-minute load average before and after the run, and the core count: the machine may be shared. */
  load: { before: number; after: number; cores: number };
}

const profile = process.argv.includes('--quick') ? INSTITUTIONS_QUICK : INSTITUTIONS_FULL;
const gc = (globalThis as { gc?: () => void }).gc;
/** The demo customers' FI: the first (default) institution of every module, so logins work. */
const FIRST_FI = DEFAULT_SANDBOX_CREDENTIALS.fiId;
const fiIdOf = (i: number) => (i === 0 ? FIRST_FI : String(10_000 + i).padStart(5, '0'));

function heapAfterGc(): number {
  if (!gc) throw new Error('start this process with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** The sandbox behind a gateway that also serves the upstream GET (one origin, as in bench/e2e). */
async function startBackend(): Promise<{ url: string; stop: () => Promise<void> }> {
  const sandbox = new CandescentSandbox({
    host: '127.0.0.1',
    port: 0,
    fiIds: Array.from({ length: profile.many }, (_, i) => fiIdOf(i)),
  });
  const sandboxPort = Number(new URL(await sandbox.start()).port);
  const upstream = (req: IncomingMessage, res: ServerResponse) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !sandbox.isAccessTokenValid(token)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(UPSTREAM_BODY);
  };
  const proxy = (req: IncomingMessage, res: ServerResponse) => {
    const forward = httpRequest(
      { host: '127.0.0.1', port: sandboxPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.socket?.destroy());
    req.pipe(forward);
  };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === UPSTREAM_PATH) upstream(req, res);
    else proxy(req, res);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await sandbox.stop();
    },
  };
}

/** The module with `count` institutions on one gateway, distinct ids and FI ids; the first is the default. */
function authModule(gatewayUrl: string, count: number) {
  return CandescentAuthModule.forRoot({
    institutions: Array.from({ length: count }, (_, i) => ({
      id: `fi-${i}`,
      baseUrl: gatewayUrl,
      consumerKey: DEFAULT_SANDBOX_CREDENTIALS.consumerKey,
      consumerSecret: DEFAULT_SANDBOX_CREDENTIALS.consumerSecret,
      fiId: fiIdOf(i),
    })),
  });
}

/** The idle module alone, as an app would start it. */
function contextModule(gatewayUrl: string, count: number) {
  @Module({ imports: [authModule(gatewayUrl, count)] })
  class InstitutionsContextModule {}
  return InstitutionsContextModule;
}

@Controller()
class GuardedController {
  @Get('guarded')
  @UseGuards(CandescentAuthGuard)
  guarded(): { ok: true } {
    return { ok: true };
  }
}

/** `/guarded` (the module's guard) and `/outgoing` (CandescentHttpService), listening, logged in once. */
async function startApp(
  gatewayUrl: string,
  count: number,
): Promise<{ app: INestApplication; url: string; handle: string }> {
  @Module({
    imports: [authModule(gatewayUrl, count)],
    controllers: [GuardedController, outgoingController(CandescentHttpService)],
  })
  class InstitutionsAppModule {}
  const app = await NestFactory.create(InstitutionsAppModule, QUIET_LOGGER);
  await app.listen(0, '127.0.0.1');
  const customer = DEMO_CUSTOMERS[0];
  const login = await app
    .get(CandescentSessionService)
    .login({ username: customer.username, password: customer.password });
  const port = (app.getHttpServer() as { address(): AddressInfo }).address().port;
  return { app, url: `http://127.0.0.1:${port}`, handle: login.sessionToken };
}

async function startupMs(gatewayUrl: string, count: number): Promise<number> {
  const began = performance.now();
  const context = await NestFactory.createApplicationContext(contextModule(gatewayUrl, count), QUIET_LOGGER);
  const took = performance.now() - began;
  await context.close();
  return took;
}

async function heapWith(gatewayUrl: string, count: number): Promise<number> {
  const context = await NestFactory.createApplicationContext(contextModule(gatewayUrl, count), QUIET_LOGGER);
  // Let anything the start-up set off (a first institution token, timers) settle: the institutions are idle.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const heap = heapAfterGc();
  await context.close();
  return heap;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0];
  const backend = await startBackend();
  const many = profile.many;
  try {
    // Start-up: one unmeasured start of each size (module loading, JIT), then alternate.
    await startupMs(backend.url, 1);
    await startupMs(backend.url, many);
    const oneSamples: number[] = [];
    const manySamples: number[] = [];
    for (let i = 0; i < profile.startups; i++) {
      const first = i % 2 === 0 ? 1 : many;
      const second = first === 1 ? many : 1;
      const a = await startupMs(backend.url, first);
      const b = await startupMs(backend.url, second);
      (first === 1 ? oneSamples : manySamples).push(a);
      (second === 1 ? oneSamples : manySamples).push(b);
    }

    // Heap per idle institution: the module alive with 1, then with `many`, three times each.
    const heap1: number[] = [];
    const heapMany: number[] = [];
    for (let i = 0; i < 3; i++) {
      heap1.push(await heapWith(backend.url, 1));
      heapMany.push(await heapWith(backend.url, many));
    }
    const bytesPerIdleInstitution = (spread(heapMany).median - spread(heap1).median) / (many - 1);

    // Throughput: both apps up at once, windows alternated, ratios paired by round.
    const one = await startApp(backend.url, 1);
    const big = await startApp(backend.url, many);
    const throughput: InstitutionsResult['throughput'] = [];
    try {
      for (const route of ['guarded', 'outgoing'] as const) {
        const load = (app: typeof one, ms: number) =>
          runLoad(
            `${app.url}/${route}`,
            ms,
            route === 'guarded' ? { authorization: `Bearer ${app.handle}` } : {},
            profile.connections,
          );
        await load(one, profile.warmupMs);
        await load(big, profile.warmupMs);
        const ratios: number[] = [];
        const okOne: number[] = [];
        const okMany: number[] = [];
        let non2xx = 0;
        let errors = 0;
        for (let round = 0; round < profile.rounds; round++) {
          const order = round % 2 === 0 ? [one, big] : [big, one];
          const results = [];
          for (const app of order) results.push({ app, result: await load(app, profile.windowMs) });
          const rOne = results.find((r) => r.app === one)!.result;
          const rMany = results.find((r) => r.app === big)!.result;
          okOne.push(rOne.okPerSec);
          okMany.push(rMany.okPerSec);
          if (rOne.okPerSec > 0) ratios.push(rMany.okPerSec / rOne.okPerSec);
          non2xx += rOne.non2xx + rMany.non2xx;
          errors += rOne.errors + rMany.errors;
          console.log(
            `institutions ${route} round ${round + 1}: 1 → ${Math.round(rOne.okPerSec)}/s, ${many} → ${Math.round(rMany.okPerSec)}/s`,
          );
        }
        throughput.push({
          route,
          ratio: spread(ratios),
          okPerSecOne: spread(okOne),
          okPerSecMany: spread(okMany),
          non2xx,
          errors,
        });
      }
    } finally {
      await one.app.close();
      await big.app.close();
    }

    const result: InstitutionsResult = {
      node: process.version,
      many,
      heap: { bytesPerIdleInstitution, heap1, heapMany },
      startupMs: { one: spread(oneSamples), many: spread(manySamples), oneSamples, manySamples },
      throughput,
      profile,
      load: { before: loadBefore, after: os.loadavg()[0], cores: os.cpus().length },
    };
    console.log(`INSTITUTIONS_RESULT ${JSON.stringify(result)}`);
  } finally {
    await backend.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
