import { inspect } from 'node:util';
import { Logger, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  CandescentAuthModule,
  type CandescentAuthOptions,
  CandescentClock,
  CandescentTokenService,
} from '@candescent/auth';
import { CandescentSandbox, type SandboxOptions } from '@candescent/auth/testing';

/** Starts a sandbox on a free loopback port; the caller stops it in `afterAll`. */
export async function startSandbox(options: SandboxOptions = {}): Promise<CandescentSandbox> {
  const sandbox = new CandescentSandbox({ ...options, host: '127.0.0.1', port: 0 });
  await sandbox.start();
  return sandbox;
}

/**
 * A clock the test moves by hand. `sleep` returns at once and moves the time forward by what was
 * asked, so retry back-off costs no wall time but still counts against deadlines.
 */
export class FakeClock extends CandescentClock {
  /** The current fake time, ms since the epoch. */
  time: number;

  constructor(start = Date.UTC(2030, 0, 15, 12, 0, 0)) {
    super();
    this.time = start;
  }

  override now(): number {
    return this.time;
  }

  /** Sets the fake time. */
  set(ms: number): void {
    this.time = ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  override sleep(ms: number): Promise<void> {
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
}

export type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** One captured call of the logger, with every argument turned into text. */
export interface CapturedLog {
  level: LogLevel;
  /** The message and every optional parameter (context, stack, objects) as one line. */
  line: string;
}

/**
 * A Nest logger that keeps every line at every level (debug and verbose included) instead of
 * printing it, so tests can assert over everything the module logged.
 */
export class LogCapture implements LoggerService {
  readonly entries: CapturedLog[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.record('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.record('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.record('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.record('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.record('fatal', message, params);
  }

  // Level filtering is the console logger's business; this one must see everything.
  setLogLevels(): void {
    /* every level is recorded */
  }

  /** Every captured line, all levels. */
  lines(): string[] {
    return this.entries.map((entry) => entry.line);
  }

  /** Lines of one level. */
  linesAt(level: LogLevel): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.line);
  }

  clear(): void {
    this.entries.length = 0;
  }

  private record(level: LogLevel, message: unknown, params: unknown[]): void {
    const line = [message, ...params]
      .filter((part) => part !== undefined)
      .map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 10 })))
      .join(' ');
    this.entries.push({ level, line });
  }
}

/** The consumer key, secret and FI id the sandbox accepts, as module options. */
export function sandboxCredentials(sandbox: CandescentSandbox): Pick<CandescentAuthOptions, 'consumerKey' | 'consumerSecret' | 'fiId'> {
  return { ...sandbox.credentials };
}

/** What `createTokenModule` hands back. */
export interface TokenModule {
  moduleRef: TestingModule;
  tokens: CandescentTokenService;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface TokenModuleSetup {
  /** Replaces `CandescentClock` in the module. */
  clock?: CandescentClock;
  /** Shares one capture between modules (a suite that asserts over all its logs). */
  logs?: LogCapture;
}

/**
 * Builds and initialises `CandescentAuthModule.forRoot` pointed at the sandbox, with `overrides`
 * merged over the sandbox's credentials. The log capture is installed before compilation (so
 * start-up lines are kept) and again on the module, because Nest's logger is process-wide and
 * the last module created in a suite would otherwise take it over.
 */
export async function createTokenModule(
  sandbox: CandescentSandbox,
  overrides: Partial<CandescentAuthOptions> = {},
  setup: TokenModuleSetup = {},
): Promise<TokenModule> {
  const logs = setup.logs ?? new LogCapture();
  let builder = Test.createTestingModule({
    imports: [
      CandescentAuthModule.forRoot({
        baseUrl: sandbox.url,
        ...sandboxCredentials(sandbox),
        ...overrides,
      }),
    ],
  }).setLogger(logs);
  if (setup.clock) builder = builder.overrideProvider(CandescentClock).useValue(setup.clock);
  const moduleRef = await builder.compile();
  moduleRef.useLogger(logs);
  Logger.overrideLogger(logs);
  await moduleRef.init();
  let closed = false;
  return {
    moduleRef,
    tokens: moduleRef.get(CandescentTokenService),
    logs,
    close: async () => {
      if (closed) return;
      closed = true;
      await moduleRef.close();
    },
  };
}

/**
 * Polls until `check` holds, in real time: background renewals run over real HTTP while the
 * fake clock stands still.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `fn` and returns what it threw; fails the test when it does not throw. */
export async function thrownBy(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Canonical lowercase 8-4-4-4-12 UUID, as `di_tid` / `transactionId` must be. */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `Basic base64(key:secret)`, the value both token services expect. */
export function basicAuth(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}
