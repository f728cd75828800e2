import { createHash, randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentSessionService } from '@candescent/auth';
import type { BenchAppConfig } from './apps/bench-app';
import { CUSTOMER, HEAP_CUSTOMERS, HEAP_SESSIONS_PER_ACCOUNT, STORM_CUSTOMERS } from './apps/candescent-credentials';
import { candescentAuthImport } from './apps/ours.app-module';
import { passwordGrantTokenSet } from './apps/password-grant';
import { serveParent } from './child-handle';
import { E2E_SETTINGS } from './e2e.settings';

/**
 * Login throughput in a process of its own: `node login-storm.process.js <module|hand-rolled> <storm|returning> <config JSON>`.
 * `module` logs in through `CandescentSessionService.login` on the memory store with default
 * options; `hand-rolled` runs the V2 password grant with axios and writes the token set as JSON
 * to a `Map` under the sha256 of a random handle. Both log in the storm's customers in turn,
 * `loginConcurrency` at a time, against the sandbox in the backend process.
 */
const [mode, variant, configJson] = process.argv.slice(2);
const returning = variant === 'returning';
const config = JSON.parse(configJson) as BenchAppConfig;
let app: INestApplicationContext | undefined;
const handRolled = new Map<string, string>();
let turn = 0;
// BENCH_ONE_CUSTOMER=1 (by hand): every login is the demo customer, so past its cap of 10 each login ends and revokes the oldest session.
const customers = process.env.BENCH_ONE_CUSTOMER ? [CUSTOMER] : returning ? HEAP_CUSTOMERS : STORM_CUSTOMERS;
const nextCustomer = () => customers[turn++ % customers.length];

async function handRolledLogin(): Promise<void> {
  const tokens = await passwordGrantTokenSet(config.gatewayUrl, nextCustomer());
  const handle = randomBytes(32).toString('base64url');
  const now = Date.now();
  const session = { v: 1, tokens, createdAt: now, lastSeenAt: now, absoluteExpiresAt: now + 12 * 3_600_000 };
  handRolled.set(createHash('sha256').update(handle).digest('hex'), JSON.stringify(session));
}

/** Runs `count` logins, `loginConcurrency` at a time; a failed login is counted, not retried. */
async function logins(count: number, login: () => Promise<unknown>): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await login().catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: E2E_SETTINGS.loginConcurrency }, worker));
  return failed;
}

serveParent(
  async () => {
    if (mode !== 'module' && mode !== 'hand-rolled')
      throw new Error(`mode must be module or hand-rolled, got "${mode}"`);
    if (mode === 'module') {
      app = await NestFactory.createApplicationContext(
        candescentAuthImport(config, 'memory', returning ? HEAP_SESSIONS_PER_ACCOUNT : undefined),
        {
          logger: ['error', 'warn'],
        },
      );
    }
    return {};
  },
  {
    logins: async (message) => {
      const count = Number(message.count);
      const service = app?.get(CandescentSessionService);
      const login = service ? () => service.login(nextCustomer()) : handRolledLogin;
      const cpuBefore = process.cpuUsage();
      const began = performance.now();
      const failed = await logins(count, login);
      const elapsedMs = performance.now() - began;
      const cpu = process.cpuUsage(cpuBefore);
      return { count, failed, elapsedMs, cpuMicros: cpu.user + cpu.system };
    },
  },
  async () => {
    await app?.close();
  },
);
