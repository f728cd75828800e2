import type { CandescentSandbox, SandboxFault } from '@candescent/sandbox';
import { CandescentHealthIndicator } from '@candescent/auth';
import { createSampleApp, type SampleApp } from '../../apps/sample/src/create-sample-app';
import { SOAK_FAILOVER_FAULTS, SOAK_FAULTS } from './soak-faults';
import type { FromWorker, SoakCustomer, ToWorker, WorkerStats } from './soak-messages';
import { SandboxHarvest } from './soak-harvest';

/**
 * The app under soak, in a process of its own so its heap is measured without the load
 * generator's: the sample app on its embedded sandbox, plus the fault injector and the reader of
 * the sandbox's records. Driven by the parent over IPC (see soak-messages.ts).
 */

const send = (message: FromWorker): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const tokenTtlSeconds = Number(process.env.SOAK_TOKEN_TTL_SECONDS ?? '4');
  const customerCount = Number(process.env.SOAK_CUSTOMERS ?? '20');
  const sample = await createSampleApp(
    // The login limit guards against password guessing; the soak's customers log in again and again.
    // Failover runs put the sessions in a replicated Redis (REDIS_CLUSTER_NODES or REDIS_SENTINELS...).
    {
      PORT: '0',
      LOGIN_RATE_LIMIT: '10000',
      ...(JSON.parse(process.env.SOAK_REDIS_ENV ?? '{}') as Record<string, string>),
    },
    { sandbox: { accessTokenTtlSeconds: tokenTtlSeconds }, logger: false },
  );
  await sample.app.listen(0, '127.0.0.1');
  const sandbox = sample.sandbox;
  if (!sandbox) throw new Error('the soak needs the embedded sandbox: unset CANDESCENT_BASE_URL');
  const customers = seedCustomers(sandbox, customerCount);
  const harvest = new SandboxHarvest(sandbox, customers);
  // The breaker's state, read without adding token requests.
  const health = sample.app.get(CandescentHealthIndicator);
  const state = () => health.circuits().v2;
  const startedAt = Date.now();
  const circuit: WorkerStats['circuit'] = [{ at: 0, state: state() }];
  const watch = setInterval(() => {
    if (state() !== circuit[circuit.length - 1].state) circuit.push({ at: Date.now() - startedAt, state: state() });
  }, 50);
  const harvesting = setInterval(() => {
    harvest.collect();
  }, 1_000);
  let injector: FaultInjector | undefined;
  let heapStartBytes = 0;

  process.on('message', (message: ToWorker) => {
    if (message.type === 'start') {
      harvest.collect();
      harvest.resetTotals();
      heapStartBytes = settledHeap();
      const spaced = message.faultMode === 'spaced';
      injector = new FaultInjector(
        sandbox,
        message.faultsPerSecond,
        {
          pending: () => (spaced ? harvest.pendingFaults() : 0),
          injected: () => {
            harvest.injected();
          },
        },
        process.env.SOAK_REDIS_ENV && process.env.SOAK_REDIS_ENV !== '{}' ? SOAK_FAILOVER_FAULTS : SOAK_FAULTS,
      );
      injector.start();
    } else if (message.type === 'outage') {
      if (message.down) sandbox.injectFault({ route: 'v2-token', kind: 'unavailable', times: Infinity });
      else sandbox.clearFaults();
    } else {
      injector?.stop();
      clearInterval(watch);
      clearInterval(harvesting);
      harvest.collect();
      const stats: WorkerStats = {
        heapStartBytes,
        heapEndBytes: settledHeap(),
        faultsInjected: injector?.injected ?? 0,
        faultsHeldBackMs: injector?.heldBackMs ?? 0,
        circuit,
        ...harvest.totals(),
      };
      send({ type: 'stats', stats });
      void close(sample);
    }
  });
  // A parent that died must not leave the app running.
  process.on('disconnect', () => process.exit(1));
  send({ type: 'ready', url: await sample.app.getUrl(), customers });
}

/** The default FI's demo customers (the ones a login naming no institution reaches) and enough added ones to make `count`. */
function seedCustomers(sandbox: CandescentSandbox, count: number): SoakCustomer[] {
  const ofDefaultFi = () => sandbox.customers().filter((c) => c.fiId === sandbox.credentials.fiId);
  for (let i = ofDefaultFi().length; i < count; i++)
    sandbox.addCustomer({ username: `soak-${i}`, password: `Soak-Customer-${i}-2026!` });
  return ofDefaultFi()
    .slice(0, count)
    .map((c) => ({
      username: c.username,
      password: c.password,
      fiCustomerId: c.fiCustomerId,
      accountIds: c.accounts.map((a) => a.id),
    }));
}

/** Heap in use after a full collection (when the process runs with --expose-gc). */
function settledHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Injects faults at random times (a Poisson process of the given rate), kinds drawn evenly. A
 * fault due while `pending()` says another still waits is held back until it is taken; the
 * schedule of the following ones is not moved, so the average rate stays as asked.
 */
class FaultInjector {
  injected = 0;
  heldBackMs = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly sandbox: CandescentSandbox,
    private readonly perSecond: number,
    private readonly hooks: { pending: () => number; injected: () => void },
    private readonly faults: ReadonlyArray<{ fault: SandboxFault }>,
  ) {}

  start(): void {
    if (this.perSecond <= 0) return;
    let dueAt = Date.now();
    const next = () => {
      dueAt += (-Math.log(1 - Math.random()) / this.perSecond) * 1000;
      this.timer = setTimeout(inject, Math.max(0, dueAt - Date.now()));
    };
    const inject = () => {
      if (this.stopped) return;
      if (this.hooks.pending() > 0) {
        this.heldBackMs += 10;
        this.timer = setTimeout(inject, 10);
        return;
      }
      const { fault } = this.faults[Math.floor(Math.random() * this.faults.length)];
      this.sandbox.injectFault({ ...fault });
      this.injected += 1;
      this.hooks.injected();
      next();
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

async function close(sample: SampleApp): Promise<void> {
  await sample.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
