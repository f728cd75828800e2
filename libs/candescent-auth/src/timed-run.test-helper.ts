/**
 * A time budget for one run of a property: the functions under test take microseconds to a few
 * milliseconds on any input they accept, so a quarter second means super-linear work (regex
 * backtracking, entity blow-up) that a hostile input could trigger on purpose.
 */
export const RUN_BUDGET_MS = 250;

/** Thrown when one run takes longer than `RUN_BUDGET_MS`; never one of the module's own errors. */
export class OverBudgetError extends Error {}

/**
 * Runs `run` and passes on what it returned or threw, unless it took longer than the budget.
 * A run over budget is repeated twice on the same input and the fastest counts: super-linear
 * work is slow every time, while a busy machine or a GC pause slows one run only.
 */
export function timed<T>(run: () => T): T {
  let fastest = Infinity;
  let outcome: { value: T } | { error: unknown } = { error: undefined };
  for (let attempt = 0; attempt < 3 && fastest > RUN_BUDGET_MS; attempt++) {
    const started = performance.now();
    try {
      outcome = { value: run() };
    } catch (error: unknown) {
      outcome = { error };
    }
    fastest = Math.min(fastest, performance.now() - started);
  }
  if (fastest > RUN_BUDGET_MS) {
    throw new OverBudgetError(`one run took ${Math.round(fastest)} ms (budget ${RUN_BUDGET_MS} ms)`);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
