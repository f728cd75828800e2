import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  CANDESCENT_STORE,
  CandescentAuthModule,
  type CandescentAuthModuleOptions,
  CandescentHttpService,
  CandescentSessionService,
  type CandescentStore,
  CandescentTokenService,
} from '@candescent/auth';
import { CandescentClock } from '@candescent/auth/testing';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { LogCapture } from './logs';
import { sandboxOptions } from './sandbox';

/** A token module as the suites use it. */
export interface OpenedModule {
  moduleRef: TestingModule;
  tokens: CandescentTokenService;
  /** The module's own CandescentHttpService (Candescent base URL, outgoing interceptor installed). */
  http: CandescentHttpService;
  /** Everything Nest and the module logged, kept instead of printed. */
  logs: LogCapture;
  close(): Promise<void>;
}

export interface ModuleSetup {
  /** Replaces `CandescentClock` in the module. */
  clock?: CandescentClock;
  /** Shares one capture between modules (a suite that asserts over all its logs). */
  logs?: LogCapture;
}

/**
 * Builds and initialises `CandescentAuthModule.forRoot` against any base URL (a stopped
 * sandbox's too). The log capture is installed before compilation (so start-up lines are kept)
 * and again on the module, because Nest's logger is process-wide and the last module created in
 * a suite would otherwise take it over; either way a suite that expects failures stays quiet.
 */
export async function openModule(options: CandescentAuthModuleOptions, setup: ModuleSetup = {}): Promise<OpenedModule> {
  const logs = setup.logs ?? new LogCapture();
  let builder = Test.createTestingModule({ imports: [CandescentAuthModule.forRoot(options)] }).setLogger(logs);
  if (setup.clock) builder = builder.overrideProvider(CandescentClock).useValue(setup.clock);
  const moduleRef = await builder.compile();
  moduleRef.useLogger(logs);
  Logger.overrideLogger(logs);
  await moduleRef.init();
  let closed = false;
  return {
    moduleRef,
    tokens: moduleRef.get(CandescentTokenService),
    http: moduleRef.get(CandescentHttpService),
    logs,
    close: async () => {
      if (closed) return;
      closed = true;
      await moduleRef.close();
    },
  };
}

/** `openModule` pointed at the sandbox, with `overrides` merged over its credentials. */
export function createTokenModule(
  sandbox: CandescentSandbox,
  overrides: Partial<CandescentAuthModuleOptions> = {},
  setup: ModuleSetup = {},
): Promise<OpenedModule> {
  return openModule(sandboxOptions(sandbox, overrides), setup);
}

/** Sandbox settings a suite puts back after each test. */
export type SandboxSettings = Parameters<CandescentSandbox['configure']>[0];

export interface ModuleSlot {
  /** The module the running test opened last, if any. */
  readonly current: OpenedModule | undefined;
  /** Closes the module opened before, if any, and opens one against the sandbox. */
  open(overrides?: Partial<CandescentAuthModuleOptions>, setup?: ModuleSetup): Promise<OpenedModule>;
}

/**
 * For a suite that shares one sandbox and gives each test a module of its own, so the circuit
 * breaker, the rejected-client cache and cached tokens never carry over. After each test the
 * module is closed, the sandbox's pending faults are dropped and `restore` is applied again;
 * after the suite the sandbox is stopped. Call it inside the suite's `describe`.
 */
export function oneModuleAtATime(sandboxOf: () => CandescentSandbox, restore: SandboxSettings): ModuleSlot {
  let current: OpenedModule | undefined;
  const closeCurrent = async (): Promise<void> => {
    const closing = current;
    current = undefined;
    await closing?.close();
  };

  afterEach(async () => {
    await closeCurrent();
    sandboxOf().clearFaults();
    sandboxOf().configure(restore);
  });

  afterAll(async () => {
    await closeCurrent();
    await sandboxOf().stop();
  });

  return {
    get current() {
      return current;
    },
    async open(overrides = {}, setup = {}) {
      await closeCurrent();
      current = await createTokenModule(sandboxOf(), overrides, setup);
      return current;
    },
  };
}

/**
 * A module of its own on a given store and clock, as one app instance: several opened on one
 * store behave like instances sharing Redis. Returns its session service and how to close it.
 */
export async function openSessionInstance(
  sandbox: CandescentSandbox,
  store: CandescentStore,
  clock: CandescentClock,
  overrides: Partial<CandescentAuthModuleOptions> = {},
  logs: LogCapture = new LogCapture(),
): Promise<{ sessions: CandescentSessionService; close: () => Promise<void> }> {
  const moduleRef = await Test.createTestingModule({
    imports: [CandescentAuthModule.forRoot(sandboxOptions(sandbox, overrides))],
  })
    .overrideProvider(CANDESCENT_STORE)
    .useValue(store)
    .overrideProvider(CandescentClock)
    .useValue(clock)
    .setLogger(logs)
    .compile();
  moduleRef.useLogger(logs);
  await moduleRef.init();
  return { sessions: moduleRef.get(CandescentSessionService), close: () => moduleRef.close() };
}
