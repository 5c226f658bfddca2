import { runtimeError } from './runtime-error.ts';

/**
 * The bound on one evaluation, counted in steps, not time, so the same expression and object always
 * stop at the same point. A step is one operator or function call, one element a predicate visits or a
 * range or collection builds, or 32 characters of text a function or comparison reads or builds. A normal
 * condition takes tens of steps; `all(1..999999, all(1..999999, true))` would take 10^12 and stops after
 * 1,000,000 (a few hundred milliseconds at worst).
 */
export const EXPRESSION_STEP_LIMIT = 1_000_000;
const CHARACTERS_PER_STEP = 32;

// Evaluation is synchronous and never re-entered, so one counter serves every expression.
let remaining = EXPRESSION_STEP_LIMIT;

/** Starts the budget of a new evaluation. */
export function resetBudget(): void {
  remaining = EXPRESSION_STEP_LIMIT;
}

export function spend(steps: number): void {
  remaining -= steps;
  if (remaining < 0) {
    throw runtimeError(`evaluation stopped after ${EXPRESSION_STEP_LIMIT} steps (the bound on one evaluation: ranges, repeat and predicates over too many elements)`);
  }
}

/** The cost of building `length` characters of text. */
export function spendText(length: number): void {
  spend(Math.ceil(length / CHARACTERS_PER_STEP));
}
