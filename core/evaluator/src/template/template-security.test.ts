import { afterEach, describe, expect, it, vi } from 'vitest';
import { TemplateError } from '../errors.ts';
import { hostFunctions, render } from './__fixtures__/render-fixture.ts';

/**
 * Nothing in a template reaches prototypes, constructors, `process`, `globalThis` or `require`, and `call`
 * calls only host functions. Each hostile template either prints nothing of value or fails with a
 * TemplateError; it never returns a real function, constructor or prototype, and never calls a
 * function that the evaluator did not put into a host namespace.
 */

const spy = vi.fn(() => 'CALLED');
const data = (): Record<string, unknown> => ({
  pod: { metadata: { name: 'web-1' } },
  // Functions never come from resource JSON; these stand in for anything that is not a host function.
  fn: spy,
  ns: { fn: spy },
  list: [spy],
  parsed: JSON.parse('{"__proto__": {"polluted": "from data"}}') as unknown,
});

afterEach(() => {
  spy.mockClear();
});

const LEAKS = /function|native code|\[object|class |process|globalThis|require|prototype/;

/** [template, what it may print]; `undefined` means it must fail with a TemplateError. */
const hostile: ReadonlyArray<readonly [string, string | undefined]> = [
  ['{{.pod.constructor}}', '<no value>'],
  ['{{.__proto__}}', '<no value>'],
  ['{{.pod.__proto__}}', '<no value>'],
  ['{{index . "constructor"}}', '<no value>'],
  ['{{index .pod "__proto__"}}', '<no value>'],
  ['{{index .pod "toString"}}', '<no value>'],
  ['{{.pod.toString}}', '<no value>'],
  ['{{$.constructor.constructor}}', '<no value>'],
  ['{{.pod.constructor.constructor "return process"}}', '<no value>'],
  ['{{with .pod.constructor}}{{.}}{{else}}none{{end}}', 'none'],
  ['{{range .pod}}{{.}}{{end}}', 'map[name:web-1]'],
  ['{{.process}} {{.globalThis}} {{.require}}', '<no value> <no value> <no value>'],
  ['{{call .pod.toString}}', undefined],
  ['{{call .pod.constructor}}', undefined],
  ['{{call .fn}}', undefined],
  ['{{call .ns.fn "x"}}', undefined],
  ['{{call (index .list 0)}}', undefined],
  ['{{.fn}}', undefined],
  ['{{.pod.hasOwnProperty "name"}}', undefined],
  ['{{(call .time.Now).constructor}}', undefined],
  ['{{(call .time.Now).valueOf}}', undefined],
  ['{{(call .time.Now).toDate}}', undefined],
  ['{{.strings.ToUpper.constructor}}', undefined],
  ['{{.time.Now.call}}', undefined],
  ['{{printf "%v" .fn}}', '<func>'],
  ['{{.parsed.__proto__.polluted}}', 'from data'],
  ['{{ $d := dict "__proto__" (dict "polluted" "yes") }}{{ $d.__proto__.polluted }}', 'yes'],
  ['{{pod.constructor}}', undefined],
  ['{{#with this.constructor}}x{{/with}}', undefined],
  ['{{#with pod.__proto__}}x{{/with}}', undefined],
  ['{{@root.constructor}}', undefined],
  ['{{lookup pod "constructor"}}', undefined],
  ['{{log pod}}', undefined],
  ['{{> x}}', undefined],
  ['{{#> layout}}x{{/layout}}', undefined],
  ['{{#*inline "x"}}y{{/inline}}', undefined],
  ['{{fn}}', undefined],
  ['{{call fn}}', undefined],
  ['{{#each list}}{{this}}{{/each}}', undefined],
  ['{{#if fn}}x{{/if}}', undefined],
  ['{{#unless fn}}x{{/unless}}', undefined],
  ['{{#each fn}}x{{/each}}', undefined],
  ['{{#with ns.fn}}x{{/with}}', undefined],
  ['{{{{raw}}}}{{x}}{{{{/raw}}}}', undefined],
];

function outcome(source: string): string | TemplateError {
  try {
    return render(source, data());
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}

describe('template security', () => {
  it.each(hostile)('%j', (source, allowed) => {
    const result = outcome(source);
    if (allowed === undefined) {
      expect(result).toBeInstanceOf(TemplateError);
    } else {
      expect(result).toBe(allowed);
      expect(String(result)).not.toMatch(LEAKS);
    }
    expect(spy).not.toHaveBeenCalled();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('calls host functions, which are own members of a host namespace', () => {
    expect(render('{{call .strings.ToUpper "x"}} {{call .time.Now}}')).toBe('X 2024-03-05 07:08:09 +0000 UTC');
    expect(Object.isFrozen(hostFunctions.strings)).toBe(true);
  });

  it('refuses a host function copied out of its namespace into plain data', () => {
    expect(() => render('{{call .copy.ToUpper "x"}}', { copy: { ToUpper: hostFunctions.strings.ToUpper.bind(null) } })).toThrow(/not a host function/);
  });
});
