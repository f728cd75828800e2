import { createHash, randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentSessionService } from '@candescent/auth';
import type { BenchAppConfig } from './apps/bench-app';
import { HEAP_CUSTOMERS, HEAP_SESSIONS_PER_ACCOUNT } from './apps/candescent-credentials';
import { candescentAuthImport } from './apps/ours.app-module';
import { passwordGrantTokenSet } from './apps/password-grant';
import { serveParent } from './child-handle';
import { E2E_SETTINGS, HEAP_WARMUP_LOGINS } from './e2e.settings';

/**
 * Heap per session, in a process of its own started with --expose-gc:
 * `node --expose-gc heap.process.js <module|map-reference> <config JSON>`. The sandbox lives in
 * the backend process, so the tokens it keeps never count here.
 */
const [mode, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson) as BenchAppConfig;
const gc = (globalThis as { gc?: () => void }).gc;
let app: INestApplicationContext | undefined;
/** The reference: what a minimal store holds, the token set as JSON under the handle's hash. */
const reference = new Map<string, string>();

function heapAfterGc(): number {
  if (!gc) throw new Error('start this process with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function referenceLogin(): Promise<void> {
  const tokens = await passwordGrantTokenSet(config.gatewayUrl);
  const handle = randomBytes(32).toString('base64url');
  const now = Date.now();
  const session = { v: 1, tokens, createdAt: now, lastSeenAt: now, absoluteExpiresAt: now + 12 * 3_600_000 };
  reference.set(createHash('sha256').update(handle).digest('hex'), JSON.stringify(session));
}

/** Runs `count` logins, `loginConcurrency` at a time; the handles are dropped, as a client would hold them. */
async function logins(count: number, login: () => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await login();
    }
  };
  await Promise.all(Array.from({ length: E2E_SETTINGS.loginConcurrency }, worker));
}

serveParent(
  async () => {
    if (mode !== 'module' && mode !== 'map-reference')
      throw new Error(`mode must be module or map-reference, got "${mode}"`);
    if (mode === 'module') {
      app = await NestFactory.createApplicationContext(
        candescentAuthImport(config, 'memory', HEAP_SESSIONS_PER_ACCOUNT),
        { logger: ['error', 'warn'] },
      );
    }
    return {};
  },
  {
    measure: async (message) => {
      const sessions = Number(message.sessions);
      const service = app?.get(CandescentSessionService);
      // Round-robin over enough accounts that no login ends an earlier session (the per-account cap).
      const capacity = HEAP_CUSTOMERS.length * HEAP_SESSIONS_PER_ACCOUNT;
      if (sessions + HEAP_WARMUP_LOGINS > capacity)
        throw new Error(`at most ${capacity - HEAP_WARMUP_LOGINS} sessions fit the heap scenario's accounts`);
      let turn = 0;
      const login = service ? () => service.login(HEAP_CUSTOMERS[turn++ % HEAP_CUSTOMERS.length]) : referenceLogin;
      // Warm-up logins first: lazily built structures (agents, JIT code, caches' first pages) are
      // not per session and must not be divided by the session count.
      await logins(HEAP_WARMUP_LOGINS, login);
      const before = heapAfterGc();
      await logins(sessions, login);
      const after = heapAfterGc();
      return { bytesPerSession: (after - before) / sessions, heapBefore: before, heapAfter: after };
    },
  },
  async () => {
    await app?.close();
  },
);
