import { fork, type ChildProcess } from 'node:child_process';
import { E2E_SETTINGS } from './e2e.settings';

/** A message between the bench and one of its child processes. `id` pairs a reply with its request. */
export interface ChildMessage {
  type: string;
  id?: number;
  [key: string]: unknown;
}

/**
 * A child process of the bench (an app under test, the backend, a heap worker) spoken to over
 * IPC. Every child runs in its own process so its CPU time can be read apart from the load
 * generator's, and so nothing it allocates or compiles leaks into another contender.
 */
export class ChildHandle {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: ChildMessage) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;
  private stderr = '';
  private output = '';

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
    });
    child.on('message', (raw: unknown) => {
      const message = raw as ChildMessage;
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.type === 'error') waiter.reject(new Error(`${label}: ${String(message.message)}`));
      else waiter.resolve(message);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        for (const waiter of this.pending.values()) {
          waiter.reject(
            new Error(`${label} exited (${code ?? signal}) before answering${this.stderr ? `:\n${this.stderr}` : ''}`),
          );
        }
        this.pending.clear();
        resolve();
      });
    });
  }

  /** Starts `script` (a compiled file of bench/e2e) with `args` and waits for its `ready` message. */
  static async start(
    label: string,
    script: string,
    args: string[],
    execArgv: string[] = [],
  ): Promise<{ handle: ChildHandle; ready: ChildMessage }> {
    const child = fork(script, args, { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const handle = new ChildHandle(label, child);
    const ready = await handle.request({ type: 'ready?' });
    return { handle, ready };
  }

  /** How many lines the child printed (the last 200 KB of it) that contain `text`. */
  linesContaining(text: string): number {
    return this.output.split('\n').filter((line) => line.includes(text)).length;
  }

  /** Sends a request and resolves with the child's reply to it. */
  request(message: ChildMessage, timeoutMs: number = E2E_SETTINGS.childReplyTimeoutMs): Promise<ChildMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label} did not answer ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ ...message, id });
    });
  }

  /** Asks the child to close what it started and exit; kills it if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const force = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    try {
      this.child.send({ type: 'stop' });
    } catch {
      this.child.kill('SIGTERM');
    }
    await this.exited;
    clearTimeout(force);
  }
}

/**
 * The child side: answers `ready?` once `init` resolved, runs `handlers` for requests, and on
 * `stop` runs `close` and exits. Errors go back to the bench as `{type:'error'}` replies.
 */
export function serveParent(
  init: () => Promise<Record<string, unknown>>,
  handlers: Record<string, (message: ChildMessage) => Promise<Record<string, unknown>> | Record<string, unknown>>,
  close: () => Promise<void>,
): void {
  const readyInfo = init();
  // A failed init is reported as the reply to `ready?`, not as an unhandled rejection.
  readyInfo.catch(() => undefined);
  const reply = (message: ChildMessage) => {
    process.send?.(message);
  };
  process.on('message', (raw: unknown) => {
    const message = raw as ChildMessage;
    const answer = async (): Promise<Record<string, unknown>> => {
      if (message.type === 'ready?') return readyInfo;
      const handler = handlers[message.type] as (typeof handlers)[string] | undefined;
      if (!handler) throw new Error(`unknown request ${message.type}`);
      return handler(message);
    };
    if (message.type === 'stop') {
      void close().finally(() => process.exit(0));
      return;
    }
    answer().then(
      (payload) => {
        reply({ ...payload, type: 'reply', id: message.id });
      },
      (error: unknown) => {
        reply({
          type: 'error',
          id: message.id,
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      },
    );
  });
  // The bench died: do not linger.
  process.on('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
}
