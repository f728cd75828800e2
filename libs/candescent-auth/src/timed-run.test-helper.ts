/**
 * A time budget for one run of a property: the functions under test take microseconds to a few
 * milliseconds on any input they accept, so a quarter second means super-linear work (regex
 * backtracking, entity blow-up) that a hostile input could trigger on purpose.
 */
export const RUN_BUDGET_MS = 250;

/** Thrown when one run takes longer than `RUN_BUDGET_MS`; never one of the module's own errors. */
export class OverBudgetError extends Error {}

/** Runs `run` and passes on what it returned or threw, unless it took longer than the budget. */
export function timed<T>(run: () => T): T {
  const started = performance.now();
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: run() };
  } catch (error: unknown) {
    outcome = { error };
  }
  const ms = performance.now() - started;
  if (ms > RUN_BUDGET_MS) throw new OverBudgetError(`one run took ${Math.round(ms)} ms (budget ${RUN_BUDGET_MS} ms)`);
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
