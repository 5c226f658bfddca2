import { TemplateError } from '../../errors.ts';
import { createHostFunctions, type HostClock } from '../../host/index.ts';
import { compileTemplate } from '../compile-template.ts';

/** The instant the Go reference outputs in these tests were produced with: 2024-03-05T07:08:09Z. */
export const FIXED_NOW = Date.UTC(2024, 2, 5, 7, 8, 9);
export const fixedClock: HostClock = { now: () => new Date(FIXED_NOW) };
export const hostFunctions = createHostFunctions(fixedClock);
export const TEMPLATE_NAME = 'template.test: message';

/** Compiles and renders as the evaluator does: the data plus the `time` and `strings` host objects. */
export function render(source: string, vars: Readonly<Record<string, unknown>> = {}): string {
  return compileTemplate(source, TEMPLATE_NAME, { clock: fixedClock }).render({ ...hostFunctions, ...vars });
}

/** The TemplateError `action` throws; anything else, or nothing thrown, fails the test. */
export function thrown(action: () => unknown): TemplateError {
  try {
    action();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw new Error(`expected a TemplateError, got ${String(error)}`);
  }
  throw new Error('expected a TemplateError, nothing was thrown');
}
