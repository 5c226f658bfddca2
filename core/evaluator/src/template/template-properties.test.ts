import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TemplateError } from '../errors.ts';
import { fixedClock, hostFunctions } from './__fixtures__/render-fixture.ts';
import { compileTemplate, type CompiledTemplate } from './compile-template.ts';
import { templateFunctions } from './function-catalog.ts';

/**
 * Properties over random and hostile templates and data: compiling throws nothing but TemplateError,
 * rendering throws nothing but TemplateError, and nothing reaches a prototype or calls a function that is
 * not a host function.
 */

const KEYS = ['a', 'b', 'pod', 'metadata', 'name', 'items', 'x', 'constructor', '__proto__', 'toString', 'prototype'];
const FUNCTIONS = Object.keys(templateFunctions);
const spy = vi.fn(() => 'CALLED');

afterEach(() => {
  spy.mockClear();
});

/** JSON data as Kubernetes hands it over, with keys that collide with Object.prototype names. */
const jsonData = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -5, max: 20 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 8 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
    ),
  }))
  .value.map((value) => JSON.parse(JSON.stringify(value) ?? 'null') as unknown);

const vars = fc.dictionary(fc.constantFrom(...KEYS), jsonData, { maxKeys: 5 });

const FRAGMENTS = [
  '{{', '}}', '{{- ', ' -}}', '{{/*', '*/}}', '{{{', '}}}', '{{#', '{{/', '{{>', '{{!', '{{~', '~}}', '{{else}}', '{{end}}',
  ' ', '\n', '.', '$', '$x', ':=', '=', '|', '(', ')', ',', '"s"', '`r`', "'c'", '1', '-2', '1.5', '0x1F', 'true', 'nil',
  'if', 'range', 'with', 'define', 'template', 'block', 'break', 'this', '@index', '@root', '../', 'as |x|', 'text',
  '.pod', '.metadata', '.name', '.constructor', '.__proto__', '.toString', '.prototype', 'lookup', 'log', 'call', 'index',
  '.fn', '.ns.fn', '.time.Now', '.strings.ToUpper', 'time.Now', 'fn', '"constructor"', '"__proto__"', ...FUNCTIONS,
];
const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 25 }).map((parts) => parts.join(''));

/** Go templates built from the grammar, so many of them compile and get rendered. */
const goTemplate = fc
  .letrec((tie) => ({
    field: fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 }).map((path) => `.${path.join('.')}`),
    operand: fc.oneof(
      { depthSize: 'small' },
      tie('field'),
      fc.constantFrom('.', '$', '$.pod', '"s"', '""', '0', '3', '-1', '1.5', 'true', 'nil', '"2006-01-02"', '"%v-%d"', '"a,b"', '.fn', '.time.Now'),
      tie('pipe').map((pipe) => `(${String(pipe)})`),
    ),
    command: fc.oneof(
      fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('operand'), { maxLength: 3 })).map(([name, args]) => [name, ...(args as string[])].join(' ')),
      tie('operand'),
    ),
    pipe: fc.array(tie('command'), { minLength: 1, maxLength: 3 }).map((commands) => (commands as string[]).join(' | ')),
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('text ', '\n', '  '),
      tie('pipe').map((pipe) => `{{${String(pipe)}}}`),
      tie('pipe').map((pipe) => `{{- $v := ${String(pipe)} -}}`),
      fc.tuple(tie('pipe'), tie('nodes'), tie('nodes')).map(([p, a, b]) => `{{if ${String(p)}}}${String(a)}{{else}}${String(b)}{{end}}`),
      fc.tuple(tie('pipe'), tie('nodes')).map(([p, a]) => `{{with ${String(p)}}}${String(a)}{{end}}`),
      fc.tuple(tie('pipe'), tie('nodes')).map(([p, a]) => `{{range $i, $e := ${String(p)}}}{{$i}}${String(a)}{{end}}`),
    ),
    nodes: fc.array(tie('node'), { maxLength: 3 }).map((nodes) => (nodes as string[]).join('')),
  }))
  .nodes.map(String);

function compileOrError(source: string): CompiledTemplate | TemplateError {
  try {
    return compileTemplate(source, 'template.fuzz: body', { clock: fixedClock });
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}

function renderOrError(template: CompiledTemplate, data: Record<string, unknown>): string | TemplateError {
  try {
    return template.render({ ...data, ...hostFunctions, fn: spy, ns: { fn: spy } });
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}

function check(source: string, data: Record<string, unknown>): void {
  const template = compileOrError(source);
  if (!(template instanceof TemplateError)) {
    const result = renderOrError(template, data);
    if (typeof result === 'string') expect(result).not.toMatch(/native code|\[object |class \w/);
  }
  expect(spy).not.toHaveBeenCalled();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

// Thousands of cases take about a second alone; on a machine shared by parallel runs, many more.
const PROPERTY_TIMEOUT = 30_000;

describe('template properties', () => {
  it('compiling any text throws nothing but TemplateError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (source) => {
        compileOrError(source);
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT);

  it('fragment soup compiles and renders with nothing but TemplateError, reaching nothing', () => {
    fc.assert(fc.property(soup, vars, check), { numRuns: 1500 });
  }, PROPERTY_TIMEOUT);

  it('grammar-built Go templates render random data with nothing but TemplateError, reaching nothing', () => {
    fc.assert(fc.property(goTemplate, vars, check), { numRuns: 1500 });
  }, PROPERTY_TIMEOUT);
});
