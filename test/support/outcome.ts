import { inspect } from 'node:util';

/** What a call came to, and how long it took in real time. */
export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

export async function outcomeOf<T>(run: () => T | Promise<T>): Promise<Outcome<T>> {
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

/** Runs `fn` and returns what it threw; fails the test when it does not throw. */
export async function thrownBy(fn: () => unknown): Promise<unknown> {
  return failureOf(await outcomeOf(fn));
}

/** What an outgoing call came to, as a handler reports it to the test: its status, or the module error's. */
export interface CallOutcome {
  status: number;
  errorCode?: string;
}

/** Awaits a call and reports its status, or the status and code of the module error it failed with. */
export async function callOutcome(call: Promise<{ status: number }>): Promise<CallOutcome> {
  try {
    return { status: (await call).status };
  } catch (error: unknown) {
    const failure = error as { getStatus?: () => number; errorCode?: string };
    return { status: failure.getStatus?.() ?? 500, errorCode: failure.errorCode };
  }
}
