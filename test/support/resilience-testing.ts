import { inspect } from 'node:util';
import { HttpService } from '@nestjs/axios';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  CandescentAuthModule,
  type CandescentAuthOptions,
  CandescentClock,
  CandescentTokenService,
} from '@candescent/auth';
import { CandescentSandbox, type SandboxOptions } from '@candescent/auth/testing';

/**
 * Helpers of the resilience, outage and leak suites. Kept apart from token-testing.ts because
 * these suites need things the others do not: a clock whose sleeps stay real, process-level
 * error recording, stdout capture and by-value secret scanning.
 */

/** Starts a sandbox on loopback (a free port unless one is given); the caller stops it. */
export async function startSandbox(options: SandboxOptions = {}): Promise<CandescentSandbox> {
  const sandbox = new CandescentSandbox({ host: '127.0.0.1', port: 0, ...options });
  await sandbox.start();
  return sandbox;
}

/**
 * A clock the test moves by hand. Unlike a fake clock whose `sleep` jumps the time, sleeps here
 * stay real (and short, as the suites configure small back-offs), so background renewals and
 * their retries never move the time the test is reasoning about.
 */
export class SteppedClock extends CandescentClock {
  constructor(private time = Date.UTC(2030, 0, 15, 12, 0, 0)) {
    super();
  }

  override now(): number {
    return this.time;
  }

  set(ms: number): void {
    this.time = ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

/** A token module as the suites use it. */
export interface OpenedModule {
  moduleRef: TestingModule;
  tokens: CandescentTokenService;
  /** The module's own HttpService (Candescent base URL, outgoing interceptor installed). */
  http: HttpService;
  close(): Promise<void>;
}

/**
 * `CandescentAuthModule.forRoot` against any base URL (a stopped sandbox's too), with an
 * optional clock. Nest's own log lines go to `logger` (default: dropped), so a suite that
 * expects failures does not flood the output.
 */
export async function openModule(
  options: CandescentAuthOptions,
  setup: { clock?: CandescentClock; logger?: LoggerService | false } = {},
): Promise<OpenedModule> {
  let builder = Test.createTestingModule({ imports: [CandescentAuthModule.forRoot(options)] });
  if (setup.clock) builder = builder.overrideProvider(CandescentClock).useValue(setup.clock);
  const moduleRef = await builder.compile();
  moduleRef.useLogger(setup.logger ?? false);
  await moduleRef.init();
  let closed = false;
  return {
    moduleRef,
    tokens: moduleRef.get(CandescentTokenService),
    http: moduleRef.get(HttpService),
    close: async () => {
      if (closed) return;
      closed = true;
      await moduleRef.close();
    },
  };
}

/** The module options that point at a running sandbox with its credentials. */
export function sandboxOptions(sandbox: CandescentSandbox, overrides: Partial<CandescentAuthOptions> = {}): CandescentAuthOptions {
  return { baseUrl: sandbox.url, ...sandbox.credentials, ...overrides };
}

/** What a call came to, and how long it took in real time. */
export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

export async function outcomeOf<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  const started = performance.now();
  try {
    const value = await run();
    return { ok: true, value, ms: performance.now() - started };
  } catch (error: unknown) {
    return { ok: false, error, ms: performance.now() - started };
  }
}

/** The error of a failed outcome; fails the test with what came instead. */
export function failureOf<T>(outcome: Outcome<T>): unknown {
  if (outcome.ok) throw new Error(`expected the call to fail, but it succeeded after ${Math.round(outcome.ms)} ms`);
  return outcome.error;
}

/** The value of a successful outcome; fails the test with the error otherwise. */
export function successOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected the call to succeed, but it failed: ${inspect(outcome.error)}`);
  return outcome.value;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` in real time until it holds. */
export async function waitUntil(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * The real `process`. Jest hands each test file a copy of it whose event emitter never fires
 * (and mocks `require('process')` and `module.createRequire` to return that copy), so listeners
 * on the global `process` would record nothing. `Buffer` comes from the host realm, and so does
 * its `Function` constructor, whose code sees the host's global `process`.
 */
const hostProcess = (Buffer as unknown as { constructor: (code: string) => () => NodeJS.Process }).constructor(
  'return process',
)();

/**
 * Records `unhandledRejection` and `uncaughtException` on the real process while installed. A
 * promise nobody awaits (a background renewal, an aborted request) is what a resilience bug
 * looks like, and one that settles between tests would not be pinned on any test by Jest.
 */
export class ProcessErrorRecorder {
  readonly events: Array<{ kind: 'unhandledRejection' | 'uncaughtException'; error: unknown }> = [];
  private readonly onRejection = (error: unknown) => {
    this.events.push({ kind: 'unhandledRejection', error });
  };
  private readonly onException = (error: unknown) => {
    this.events.push({ kind: 'uncaughtException', error });
  };

  install(): this {
    hostProcess.on('unhandledRejection', this.onRejection);
    hostProcess.on('uncaughtException', this.onException);
    return this;
  }

  uninstall(): void {
    hostProcess.off('unhandledRejection', this.onRejection);
    hostProcess.off('uncaughtException', this.onException);
  }

  /** One line per event, for a readable assertion failure. */
  describe(): string[] {
    return this.events.map((event) => `${event.kind}: ${inspect(event.error, { depth: 3 })}`);
  }
}

/**
 * A Nest logger that keeps every call at every level, with each argument rendered the two ways
 * a real logger might (inspect and JSON), so a secret hidden in an object is seen too.
 */
export class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];

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
  // Level filtering would hide exactly the lines a leak check has to see.
  setLogLevels(): void {
    /* every level is recorded */
  }

  private record(level: string, message: unknown, params: unknown[]): void {
    const parts = [message, ...params].map((part) => renderings(part).join(' '));
    this.lines.push(`${level}: ${parts.join(' ')}`);
  }
}

/** Every way a value may end up as text: as is, `util.inspect` (deep) and JSON. */
export function renderings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const out = [inspect(value, { depth: 10 })];
  try {
    // Undefined for undefined and functions, whatever the declared type says.
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined) out.push(json);
  } catch {
    // A cyclic object has no JSON form; inspect covered it.
  }
  if (value instanceof Error) out.push(value.message, value.stack ?? '');
  return out;
}

/** Captures what is written to stdout and stderr (Nest's console logger writes there directly). */
export class StdioCapture {
  readonly chunks: string[] = [];
  private restores: Array<() => void> = [];

  start(): this {
    for (const stream of [process.stdout, process.stderr]) {
      const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return true;
      });
      this.restores.push(() => {
        spy.mockRestore();
      });
    }
    return this;
  }

  stop(): void {
    for (const restore of this.restores.splice(0)) restore();
  }
}

/** A named secret value, and a named text to search it in. */
export interface Secret {
  label: string;
  value: string;
}
export interface Haystack {
  where: string;
  text: string;
}

/**
 * Every place a secret appears, by exact value. Reported with labels and positions only, so a
 * failing run does not print the secret a second time.
 */
export function findLeaks(secrets: readonly Secret[], haystacks: readonly Haystack[]): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const haystack of haystacks) {
      const at = haystack.text.indexOf(secret.value);
      if (at >= 0) leaks.push(`${secret.label} appears in ${haystack.where} at offset ${at}`);
    }
  }
  return leaks;
}
