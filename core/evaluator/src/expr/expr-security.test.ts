import { afterEach, describe, expect, it } from 'vitest';
import { ExpressionError } from '../errors.ts';
import { varsFixture } from './__fixtures__/expr-vars.ts';
import { compileExpression } from './compile-expression.ts';

/** The value of `source`, or the ExpressionError it raised; any other outcome fails the test. */
function outcome(source: string, vars: Record<string, unknown> = varsFixture()): unknown {
  try {
    return compileExpression(source).evaluate(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error;
  }
}

/** Whether a value is something an expression must never hand out. */
function isDangerous(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value === Object.prototype || value === Function.prototype || value === Array.prototype || value === String.prototype) return true;
  if (value === globalThis || (typeof process !== 'undefined' && value === process)) return true;
  if (Array.isArray(value)) return value.some(isDangerous);
  return false;
}

afterEach(() => {
  // Nothing an expression did may have touched the shared prototypes.
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Array.prototype).not.toHaveProperty('polluted');
});

describe('hostile expressions', () => {
  it.each([
    'pod.constructor',
    'pod.__proto__',
    `pod['__proto__']`,
    `pod['con' + 'structor']`,
    `pod[pod.key]`,
    'pod.prototype',
    'pod.__defineGetter__',
    'pod.__lookupGetter__',
    'pod.toString',
    'pod.hasOwnProperty',
    'pod.valueOf',
    'pod.metadata.__proto__.polluted',
    '[].constructor',
    `'abc'.constructor`,
    `'abc'.length`,
    '[1, 2].length',
    '[1, 2].map',
    '{}.constructor',
    'time.Now',
    'time.constructor',
    'strings.__proto__',
    'strings.ToUpper',
    'time.Now().constructor',
    `time.Now()['Sub']`,
    `duration('1s').constructor`,
    'process',
    'globalThis',
    'require',
    'module',
    'this',
    'Function',
    'eval',
    'constructor',
    '__proto__',
    '$env.constructor',
    `$env['__proto__']`,
    `get(pod, 'constructor')`,
    `get(pod, '__proto__')`,
    `fromJSON('{"__proto__": {"polluted": 1}}').polluted`,
    `fromJSON('{"__proto__": {"polluted": 1}}').__proto__`,
    `{__proto__: {polluted: true}}.polluted`,
    `{__proto__: {polluted: true}}.__proto__`,
    `map([pod], #.constructor)`,
    `map([pod], .__proto__)`,
    `keys(pod).constructor`,
    `pod.evil.Now`,
    `evilFunction`,
    `inherited`,
  ])('%s yields nil or an ExpressionError, never a real prototype or function', (source) => {
    const pod = { ...(varsFixture().pod as object), key: '__proto__', evil: { Now: () => 'called', run: () => 'called' } };
    const vars = Object.assign(Object.create({ inherited: 'secret' }) as object, varsFixture({ pod, evilFunction: () => 'called' }));
    const result = outcome(source, vars);
    expect(isDangerous(result)).toBe(false);
    if (Array.isArray(result)) expect(result).toEqual([null]);
    else if (!(result instanceof ExpressionError)) expect(result).toBeNull();
  });

  it.each([
    `pod.constructor.constructor('return process')()`,
    `pod['constructor']['constructor']('return process')`,
    `time.Now().location()`,
    `time.Now().toDate()`,
    `pod.evil.run()`,
    'evilFunction()',
    'pod.toString()',
    `'abc'.toUpperCase()`,
    `pod | constructor`,
    `pod.status.phase == "x" || process.exit(1)`,
  ])('%s does not compile', (source) => {
    expect(() => compileExpression(source)).toThrow(ExpressionError);
  });

  it('never calls a function found in data, even under an allowed method name', () => {
    let called = 0;
    const evil = { Now: () => (called += 1), String: () => (called += 1), Minutes: () => (called += 1), toJSON: () => (called += 1), toString: () => 'x' };
    const getterHost = Object.defineProperty({}, 'phase', { enumerable: true, get: () => (called += 1) });
    for (const source of ['evil.Now()', 'evil.String()', 'evil?.Minutes()', 'toJSON(evil)', 'string(evil)', 'evil == evil', 'holder.phase', 'len(evil)']) {
      const result = outcome(source, { evil, holder: getterHost });
      expect(isDangerous(result), source).toBe(false);
    }
    expect(called).toBe(0);
  });

  it('keeps map literals and parsed JSON from touching prototypes', () => {
    const literal = outcome(`{__proto__: {polluted: true}, constructor: 1}`) as object;
    expect(Object.getPrototypeOf(literal)).toBeNull();
    expect(Object.keys(literal)).toEqual(['__proto__', 'constructor']);
    outcome(`fromJSON('{"__proto__": {"polluted": true}}')`);
  });

  it('reads variables only from own properties of the variables object', () => {
    const vars = Object.create({ pod: { status: { phase: 'Running' } } }) as Record<string, unknown>;
    expect(outcome(`pod.status.phase == 'Running'`, vars)).toMatchObject({ message: 'cannot fetch status from <nil>' });
    expect(outcome('toString', {})).toBeNull();
    expect(outcome('hasOwnProperty', {})).toBeNull();
  });

  it('does not let a string literal escape into the underlying jexl grammar', () => {
    const source = `pod.metadata.name + "' || constructor ('x') || '" + "\\" ]]] {{ | }"`;
    expect(outcome(source)).toBe(`web-1' || constructor ('x') || '" ]]] {{ | }`);
  });
});
