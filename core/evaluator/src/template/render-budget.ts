/**
 * The bounds on one render, counted, not timed, so a template and an object always stop at the same
 * point: at most MAX_RENDER_STEPS steps (an action, a condition, a loop iteration, a function call, an
 * element a function builds, or 32 characters of text a function reads or builds) and at most
 * MAX_RENDER_OUTPUT characters of output. A real notification takes hundreds of steps; nested
 * `{{range until 1000000}}` loops would take 10^12 and stop after 1,000,000 (well under a second).
 */
export const MAX_RENDER_STEPS = 1_000_000;
/** The output bound: a rendered notification travels as one bus message (1 MB by default). */
export const MAX_RENDER_OUTPUT = 1_000_000;
/**
 * How deep `{{template}}` calls nest. Go stops at 100,000; a level here takes a dozen JavaScript frames
 * and more with the controls around the call (the stack holds about 500 plain levels), so Herald stops
 * at 100: a template that calls itself fails with Go's message, not a stack overflow.
 */
export const MAX_TEMPLATE_DEPTH = 100;
const CHARACTERS_PER_STEP = 32;

/** Thrown when a bound is reached; the compiled template turns it into a TemplateError naming itself. */
export class RenderLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderLimitError';
  }
}

// Rendering is synchronous and a render never starts another, so one counter serves every template.
let remaining = MAX_RENDER_STEPS;
let depth = 0;

export function startRender(): void {
  remaining = MAX_RENDER_STEPS;
  depth = 0;
}

/** A `{{template}}` call: one step, one level deeper (false, and no deeper, at MAX_TEMPLATE_DEPTH); leaveTemplate when it returns or throws. */
export function enterTemplate(): boolean {
  if (depth >= MAX_TEMPLATE_DEPTH) return false;
  spendSteps(1);
  depth++;
  return true;
}

export function leaveTemplate(): void {
  depth--;
}

export function spendSteps(steps: number): void {
  remaining -= steps;
  if (remaining < 0) throw new RenderLimitError(`render stopped after ${MAX_RENDER_STEPS} steps (the bound on loops and function calls in one render)`);
}

/** A function call: one step, and the text it reads (a regex or `upper` goes through all of it). */
export function spendCall(args: readonly unknown[]): void {
  let steps = 1;
  for (const arg of args) if (typeof arg === 'string') steps += Math.ceil(arg.length / CHARACTERS_PER_STEP);
  spendSteps(steps);
}

/** What a function call cost beyond that: the list or text it built. */
export function spendResult(value: unknown): void {
  if (typeof value === 'string') spendSteps(Math.ceil(value.length / CHARACTERS_PER_STEP));
  else if (Array.isArray(value)) spendSteps(value.length);
}

/** Checks text being put together (a loop's output so far, or the whole render) against the output bound. */
export function checkOutput(length: number): void {
  if (length > MAX_RENDER_OUTPUT) throw new RenderLimitError(`render stopped: output longer than ${MAX_RENDER_OUTPUT} characters (the bound on one rendered template)`);
}
