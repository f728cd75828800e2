import { inspect } from 'node:util';
import type { CandescentSandbox } from '@candescent/auth/testing';
import type { OpenedModule } from './module';

/**
 * Helpers only the resilience, outage and leak suites need: process-level error recording,
 * stdout capture and by-value secret scanning.
 */

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
 * The life cycle of a suite that starts a sandbox and opens modules for each test. A
 * `ProcessErrorRecorder` is installed for the whole suite; after each test the modules pushed
 * onto the returned list are closed, the sandbox is stopped, and the test fails if an unhandled
 * rejection or an uncaught exception reached the process in the meantime. Call it inside the
 * suite's `describe`.
 */
export function closeAfterEachTest(sandboxOf: () => CandescentSandbox): OpenedModule[] {
  const recorder = new ProcessErrorRecorder();
  const opened: OpenedModule[] = [];

  beforeAll(() => {
    recorder.install();
  });

  afterAll(() => {
    recorder.uninstall();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((m) => m.close()));
    await sandboxOf().stop();
    // Let pending rejections surface before judging: they are reported on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.describe()).toEqual([]);
  });

  return opened;
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

/** JSON.stringify that prints a repeated object once instead of throwing on cycles. */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet();
  // Wrapped in an array: JSON.stringify of undefined itself is undefined, not text.
  return JSON.stringify([value], (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null) {
      if (seen.has(item)) return '[seen]';
      seen.add(item);
    }
    return item;
  });
}
