import { afterAll, describe, expect, it } from 'vitest';
import { EvaluatorErrorCodes, TemplateError } from '../errors.ts';
import { offThread } from '../__fixtures__/off-thread.ts';
import { render, TEMPLATE_NAME } from './__fixtures__/render-fixture.ts';
import { compileTemplate } from './compile-template.ts';
import { MAX_RENDER_OUTPUT, MAX_RENDER_STEPS } from './render-budget.ts';

/**
 * Issue 12, break 1 (templates): nested `range until 1000000` / `repeat` ran for 60 s and 3.8 GB and
 * grew. These renders run in a worker, so a regression fails on the test timeout instead of hanging.
 */
const worker = offThread();
afterAll(async () => {
  await worker.stop();
});

const STEPS = `render stopped after ${MAX_RENDER_STEPS} steps`;
const OUTPUT = `render stopped: output longer than ${MAX_RENDER_OUTPUT} characters`;

describe('break 1: nested range/repeat in a template is refused with an error naming the bound', () => {
  it.each([
    ['{{range until 1000000}}{{range until 1000000}}x{{end}}{{end}}', STEPS],
    ['{{range $i := until 1000000}}{{range $j := until 1000000}}{{$i}}{{$j}}{{end}}{{end}}', STEPS],
    ['{{range until 1000}}{{repeat 1000000 "x"}}{{end}}', OUTPUT],
    ['{{range until 1000}}{{$x := until 1000000}}{{end}}', STEPS],
    ['{{range 1000000}}{{range 1000000}}{{end}}{{end}}', STEPS],
    ['{{#each (until 1000000)}}{{#each (until 1000000)}}x{{/each}}{{/each}}', STEPS],
    ['{{#each (until 1000)}}{{repeat 1000000 "x"}}{{/each}}', OUTPUT],
  ])('%s', async (source, bound) => {
    const outcome = await worker.run({ kind: 'template', name: TEMPLATE_NAME, source, vars: {} });
    expect(outcome.error?.code).toBe(EvaluatorErrorCodes.templateRuntime);
    expect(outcome.error?.message).toContain(`${TEMPLATE_NAME}: `);
    expect(outcome.error?.message).toContain(bound);
  }, 30_000);

  it('a sprig regex with a hostile pattern and text answers at once', async () => {
    const outcome = await worker.run({ kind: 'template', name: TEMPLATE_NAME, source: '{{regexMatch "^(a+)+$" .name}} {{regexReplaceAll "(a|aa)+$" .name "x"}}', vars: { name: `${'a'.repeat(40)}-b` } });
    expect(outcome).toEqual({ value: `false ${'a'.repeat(40)}-b` });
  }, 30_000);

  it('a big but bounded render still works, and the bound is per render', () => {
    const template = compileTemplate('{{range until 100000}}x{{end}}', TEMPLATE_NAME);
    expect(template.render({})).toHaveLength(100_000);
    expect(() => compileTemplate('{{range until 1000000}}{{range until 2}}{{end}}{{end}}', TEMPLATE_NAME).render({})).toThrow(STEPS);
    expect(template.render({})).toHaveLength(100_000);
  });
});

function compileError(source: string): TemplateError {
  try {
    compileTemplate(source, TEMPLATE_NAME);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`compiled: ${source}`);
}

describe('break 3: {{lookup}} and {{nosuchfunc}} are load-time errors, not render failures', () => {
  it.each([
    ['{{nosuchfunc}}', 'function "nosuchfunc" not defined'],
    ['Hello {{ nosuchfunc }}!', 'function "nosuchfunc" not defined'],
    ['{{lookup}}', 'function "lookup" is not supported by Herald (it is a Helm function'],
    ['{{include "x" .}}', 'function "include" is not supported by Herald (it is a Helm function'],
    ['{{tpl .a .}}', 'function "tpl" is not supported by Herald (it is a Helm function'],
    ['{{required "x" .a}}', 'function "required" is not supported by Herald (it is a Helm function'],
    ['{{.a | toToml}}', 'function "toToml" is not supported by Herald (it is a Helm function'],
    ['{{#if a}}{{include}}{{/if}}', 'helper "include" is not supported'],
    ['{{regexMatch "(a)\\\\1" .a}}', 'regexMatch: error parsing regexp: invalid escape sequence'],
  ])('%s', (source, message) => {
    const error = compileError(source);
    expect(error.template).toBe(TEMPLATE_NAME);
    expect(error.message).toContain(message);
  });

  it('a lone name inside a handlebars block is still a field', () => {
    expect(render('{{#each items}}{{name}} {{/each}}', { items: [{ name: 'a' }, { name: 'b' }] })).toBe('a b ');
  });
});
