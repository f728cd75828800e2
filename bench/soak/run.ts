import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SOAK_FAILOVER_FAULTS, SOAK_FAULTS, SOAK_FAULTS_LEFT_OUT } from './soak-faults';
import { SoakLoad } from './soak-load';
import type { FromWorker, SoakCustomer, ToWorker, WorkerStats } from './soak-messages';
import { startSoakCluster, startSoakSentinel, type SoakTopology, type SoakTopologyKind } from './soak-redis';
import { describeRun, missedTargets, outageFindings, type RunResult } from './soak-report';
import { parseSoakArgs, SOAK_TARGETS, type SoakSettings } from './soak.settings';

/**
 * The soak: the sample app on its embedded sandbox, in a child process, under concurrent
 * customers and institution calls with short-lived tokens, while faults are injected at random.
 * `npm run soak` runs several fault runs and an outage run; `npm run soak:short` one short fault
 * run (what CI runs). Exits non-zero when a run misses a target.
 */

/** The breaker's reset period as the sample app gets it: the module's default `circuitBreaker.resetTimeoutMs` (docs/options.md). */
const RESET_TIMEOUT_MS = 30_000;

class Worker {
  private readonly inbox: FromWorker[] = [];
  private waiting?: () => void;
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromWorker) => {
      this.inbox.push(message);
      this.waiting?.();
    });
    this.exited = new Promise((done) =>
      child.on('exit', (code) => {
        this.waiting?.();
        done(code);
      }),
    );
  }

  static start(settings: SoakSettings, tokenTtlSeconds: number, redisEnv: Record<string, string> = {}): Worker {
    const child = fork(resolve(__dirname, 'soak-app.worker.js'), [], {
      execArgv: ['--expose-gc'],
      env: {
        ...process.env,
        SOAK_TOKEN_TTL_SECONDS: String(tokenTtlSeconds),
        SOAK_CUSTOMERS: String(settings.customers),
        SOAK_REDIS_ENV: JSON.stringify(redisEnv),
      },
    });
    return new Worker(child);
  }

  send(message: ToWorker): void {
    this.child.send(message);
  }

  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    for (;;) {
      const message = this.inbox.shift();
      if (message?.type === 'error') throw new Error(`soak worker: ${message.message}`);
      if (message?.type === type) return message as Extract<FromWorker, { type: T }>;
      if (message) continue;
      if (this.child.exitCode !== null)
        throw new Error(`soak worker exited (${this.child.exitCode}) before sending ${type}`);
      await new Promise<void>((wake) => (this.waiting = wake));
    }
  }
}

/** Starts a worker, logs everyone in, runs `during` under load, and collects both sides' figures. */
async function withLoad(
  settings: SoakSettings,
  run: {
    faultsPerSecond: number;
    faultMode: SoakSettings['faultMode'];
    tokenTtlSeconds: number;
    redisEnv?: Record<string, string>;
  },
  during: (worker: Worker, load: SoakLoad) => Promise<void>,
): Promise<{ load: SoakLoad; worker: WorkerStats; durationMs: number }> {
  const { faultsPerSecond } = run;
  const worker = Worker.start(settings, run.tokenTtlSeconds, run.redisEnv);
  const ready = await worker.next('ready');
  const customers: SoakCustomer[] = ready.customers;
  const load = new SoakLoad(ready.url, customers, settings.institutionShare);
  await load.logInAll();
  worker.send({ type: 'start', faultsPerSecond, faultMode: run.faultMode });
  const startedAt = Date.now();
  load.start(settings.clients);
  await during(worker, load);
  await load.stop();
  const durationMs = Date.now() - startedAt;
  worker.send({ type: 'stop' });
  const { stats } = await worker.next('stats');
  await worker.exited;
  return { load, worker: stats, durationMs };
}

async function faultRun(settings: SoakSettings, index: number): Promise<RunResult> {
  const { load, worker, durationMs } = await withLoad(settings, settings, () => sleep(settings.durationMs));
  return {
    name: `fault run ${index + 1}`,
    durationMs,
    faultsPerSecond: settings.faultsPerSecond,
    load: load.tally,
    worker,
    slices: load.slices,
  };
}

/** The fault load with sessions in a replicated Redis whose master is killed `failoverKillAtMs` in. */
async function failoverRun(settings: SoakSettings, kind: SoakTopologyKind, index: number): Promise<RunResult> {
  const topology: SoakTopology = kind === 'cluster' ? await startSoakCluster() : await startSoakSentinel();
  try {
    const redisEnv = { ...topology.env, CANDESCENT_STORE_KEY: randomBytes(32).toString('base64') };
    let promotedAfterMs: number | undefined;
    const { load, worker, durationMs } = await withLoad(settings, { ...settings, redisEnv }, async () => {
      await sleep(settings.failoverKillAtMs);
      await topology.killMaster();
      const promotion = topology.promoted().then(
        (ms) => (promotedAfterMs = ms),
        () => undefined,
      );
      await sleep(settings.durationMs - settings.failoverKillAtMs);
      await promotion;
    });
    return {
      name: `${kind} failover run ${index + 1}`,
      durationMs,
      faultsPerSecond: settings.faultsPerSecond,
      load: load.tally,
      worker,
      slices: load.slices,
      failover: { topology: topology.described, killedAtMs: settings.failoverKillAtMs, promotedAfterMs },
    };
  } finally {
    await topology.stop();
  }
}

async function outageRun(settings: SoakSettings): Promise<RunResult> {
  // Everyone logs in at once, so their tokens renew together at 80 % of their life: start the
  // outage just after that, and the customers hold valid tokens for most of a lifetime into it.
  const warmMs = settings.outageTokenTtlSeconds * 850;
  const { load, worker, durationMs } = await withLoad(
    settings,
    { faultsPerSecond: 0, faultMode: 'queued', tokenTtlSeconds: settings.outageTokenTtlSeconds },
    async (w) => {
      await sleep(warmMs);
      w.send({ type: 'outage', down: true });
      await sleep(settings.outageMs);
      w.send({ type: 'outage', down: false });
      await sleep(RESET_TIMEOUT_MS + 15_000);
    },
  );
  return {
    name: `outage run (token service down ${settings.outageMs / 1000} s, tokens living ${settings.outageTokenTtlSeconds} s, no other faults)`,
    durationMs,
    faultsPerSecond: 0,
    load: load.tally,
    worker,
    slices: load.slices,
    outage: { downAtMs: warmMs, upAtMs: warmMs + settings.outageMs, resetTimeoutMs: RESET_TIMEOUT_MS },
  };
}

async function main(): Promise<void> {
  const settings = parseSoakArgs(process.argv.slice(2));
  console.log(
    `soak: ${settings.runs} x ${settings.durationMs / 1000} s at ${settings.faultsPerSecond} faults/s (${settings.faultMode}), ${settings.clients} clients, ` +
      `${settings.customers} customers, tokens living ${settings.tokenTtlSeconds} s` +
      (settings.failover.length > 0
        ? `, then ${settings.failoverRuns} run(s) each on ${settings.failover.join(' and ')} with the master killed at ${settings.failoverKillAtMs / 1000} s`
        : '') +
      (settings.outage ? `, then a ${settings.outageMs / 1000} s outage` : ''),
  );
  console.log(`faults drawn from: ${SOAK_FAULTS.map((f) => f.label).join('; ')}`);
  if (settings.failover.length > 0)
    console.log(
      `failover runs draw from the same but: ${SOAK_FAULTS.filter((f) => !SOAK_FAILOVER_FAULTS.includes(f))
        .map((f) => f.label)
        .join('; ')} (ends a session by construction; the fault runs measure it)`,
    );
  console.log(`left out: ${SOAK_FAULTS_LEFT_OUT.map((f) => `${f.kind} (${f.why})`).join('; ')}`);
  console.log(
    `targets per fault run: >= ${SOAK_TARGETS.minAvailability * 100} % succeed, no CIRCUIT_OPEN, no wrong customer, no 500; ` +
      `per failover run: >= ${SOAK_TARGETS.minFailoverAvailability * 100} % succeed and no session ended besides\n`,
  );
  const results: RunResult[] = [];
  const missed: string[] = [];
  for (let i = 0; i < settings.runs; i++) {
    const run = await faultRun(settings, i);
    results.push(run);
    console.log(describeRun(run));
    const all = missedTargets(run);
    const advisory = settings.availabilityAdvisory ? all.filter((m) => m.startsWith('availability')) : [];
    const runMissed = all.filter((m) => !advisory.includes(m));
    if (advisory.length > 0) console.log(`  advisory (not failing this run): ${advisory.join('; ')}`);
    console.log(runMissed.length === 0 ? '  targets: met\n' : `  targets MISSED: ${runMissed.join('; ')}\n`);
    missed.push(...runMissed.map((m) => `${run.name}: ${m}`));
  }
  for (const kind of settings.failover) {
    for (let i = 0; i < settings.failoverRuns; i++) {
      const run = await failoverRun(settings, kind, i);
      results.push(run);
      console.log(describeRun(run));
      const runMissed = missedTargets(run);
      console.log(runMissed.length === 0 ? '  targets: met\n' : `  targets MISSED: ${runMissed.join('; ')}\n`);
      missed.push(...runMissed.map((m) => `${run.name}: ${m}`));
    }
  }
  if (settings.outage) {
    const run = await outageRun(settings);
    results.push(run);
    console.log(describeRun(run));
    const found = outageFindings(run);
    console.log(
      found.missed.length === 0 ? '  outage targets: met\n' : `  outage targets MISSED: ${found.missed.join('; ')}\n`,
    );
    missed.push(...found.missed.map((m) => `${run.name}: ${m}`));
  }
  if (settings.jsonOut) writeFileSync(settings.jsonOut, JSON.stringify({ settings, results }, null, 2));
  if (missed.length > 0) {
    console.error(`soak FAILED:\n  ${missed.join('\n  ')}`);
    process.exitCode = 1;
  } else console.log('soak passed');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
