import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EvaluatorErrorCodes } from '../errors.ts';
import { fuzzRuns, fuzzTimeout } from '../__fixtures__/fuzz-runs.ts';
import { offThread } from '../__fixtures__/off-thread.ts';
import { TEMPLATE_NAME } from './__fixtures__/render-fixture.ts';
import { MAX_RENDER_OUTPUT } from './render-budget.ts';

/**
 * Fuzz tier for issue 12 (no input can freeze Herald): random Go and handlebars templates built from the
 * constructs that can be made expensive (nested range, until, repeat, printf widths, regexes, unknown
 * and Helm functions) are compiled and rendered in a worker. Each renders to at most MAX_RENDER_OUTPUT
 * characters or fails with a TemplateError naming the template; every render ends (one that did not
 * would fail the test on its timeout).
 */
const RUNS = fuzzRuns(150);
const worker = offThread();
afterAll(async () => {
  await worker.stop();
});

const NUMBERS = ['0', '1', '3', '1000', '999999', '1000000', '-1', '.n', '(len .items)'];
const STRINGS = ['"x"', '"(a+)+$"', '"(a)\\\\1"', '""', '.name', '(repeat 1000 "ab")', '"%0999999d"'];
const FUNCTION_NAMES = ['nosuchfunc', 'lookup', 'include', 'tpl', 'required', 'upper', 'toJson', 'len'];

const goTemplate = fc.letrec<{ body: string }>((tie) => ({
  body: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', '{{.name}}', '{{.}}', '{{$}}', '{{.items}}'),
    fc.tuple(fc.constantFrom(...NUMBERS), tie('body')).map(([n, b]) => `{{range until ${n}}}${b}{{end}}`),
    fc.tuple(fc.constantFrom(...NUMBERS), tie('body')).map(([n, b]) => `{{range ${n}}}${b}{{end}}`),
    fc.tuple(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS)).map(([n, s]) => `{{repeat ${n} ${s}}}`),
    fc.tuple(fc.constantFrom(...STRINGS), fc.constantFrom(...STRINGS)).map(([p, s]) => `{{regexMatch ${p} ${s}}}{{regexReplaceAll ${p} ${s} "y"}}`),
    fc.tuple(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS)).map(([f, n]) => `{{printf ${f} ${n}}}`),
    fc.tuple(fc.constantFrom(...FUNCTION_NAMES), fc.constantFrom('', ' .', ' "x"')).map(([f, a]) => `{{${f}${a}}}`),
    fc.tuple(tie('body'), tie('body')).map(([a, b]) => `${a}${b}`),
    fc.tuple(tie('body')).map(([b]) => `{{with .items}}${b}{{end}}`),
  ),
})).body;

const handlebarsTemplate = fc.letrec<{ body: string }>((tie) => ({
  body: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', '{{name}}', '{{this}}'),
    fc.tuple(fc.constantFrom(...NUMBERS.slice(0, 6)), tie('body')).map(([n, b]) => `{{#each (until ${n})}}${b}{{/each}}`),
    fc.tuple(fc.constantFrom(...NUMBERS.slice(0, 6))).map(([n]) => `{{repeat ${n} "xy"}}`),
    fc.tuple(tie('body'), tie('body')).map(([a, b]) => `${a}${b}`),
  ),
})).body.map((body) => `{{#if name}}${body}{{/if}}`);

describe('fuzz: templates are bounded and fail only with errors naming the template', () => {
  it.each([
    ['Go', goTemplate],
    ['handlebars', handlebarsTemplate],
  ])('random %s templates over the expensive constructs end with bounded text or a TemplateError', async (_kind, template) => {
    await fc.assert(
      fc.asyncProperty(template, async (source) => {
        const outcome = await worker.run({ kind: 'template', name: TEMPLATE_NAME, source, vars: { name: `${'a'.repeat(40)}-b`, n: 999999, items: [1, 2, 3] } });
        if (outcome.error === undefined) {
          expect(typeof outcome.value).toBe('string');
          expect((outcome.value as string).length).toBeLessThanOrEqual(MAX_RENDER_OUTPUT);
        } else {
          expect([EvaluatorErrorCodes.templateSyntax, EvaluatorErrorCodes.templateUnsupported, EvaluatorErrorCodes.templateRuntime]).toContain(outcome.error.code);
          expect(outcome.error.message.startsWith(`${TEMPLATE_NAME}: `)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  }, fuzzTimeout(RUNS));
});
