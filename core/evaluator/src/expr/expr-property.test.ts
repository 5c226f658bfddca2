import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../errors.ts';
import { GoDuration, GoTime } from '../host/index.ts';
import { host, varsFixture } from './__fixtures__/expr-vars.ts';
import { compileExpression, type CompiledExpression } from './compile-expression.ts';
import { isBlockedName } from './value-access.ts';

/** Compiles, or undefined when the source is rejected; anything but an ExpressionError fails. */
function tryCompile(source: string): CompiledExpression | undefined {
  try {
    return compileExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionError) || error.code !== 'HERALD_ERR_EXPR_SYNTAX') throw error;
    return undefined;
  }
}

/** Evaluates; an ExpressionError is an acceptable outcome, anything else thrown fails. */
function tryEvaluate(expression: CompiledExpression, vars: Record<string, unknown>): unknown {
  try {
    return expression.evaluate(vars);
  } catch (error) {
    if (!(error instanceof ExpressionError) || error.code !== 'HERALD_ERR_EXPR_RUNTIME') throw error;
    return error;
  }
}

function containsFunction(value: unknown, depth = 0): boolean {
  if (typeof value === 'function') return true;
  if (depth > 4 || typeof value !== 'object' || value === null) return false;
  if (value === Object.prototype || value === Array.prototype) return true;
  return Array.isArray(value) && value.some((v) => containsFunction(v, depth + 1));
}

const TOKENS = [
  'pod', 'app', 'time', 'strings', 'x', '$env', '#', '#index', '.', '?.', 'status', 'phase', 'metadata', 'name', 'containers',
  'constructor', '__proto__', 'prototype', 'toString', 'Now', 'Sub', 'Parse', 'Minutes', 'ToUpper', 'String',
  'len', 'all', 'any', 'filter', 'map', 'count', 'upper', 'duration', 'now', 'date', 'string', 'int', 'keys', 'first', 'toJSON', 'fromJSON',
  '(', ')', '[', ']', '{', '}', ',', ':', '?', '??', '|', '..', '+', '-', '*', '/', '%', '**', '^', '==', '!=', '<', '<=', '>', '>=',
  'and', 'or', 'not', '!', '&&', '||', 'in', 'not in', 'contains', 'startsWith', 'endsWith', 'matches', 'let', 'if', ';', '=',
  'nil', 'true', 'false', '0', '1', '-1', '2.5', '0x1F', `'Running'`, `'5m'`, `'2024-01-01T00:00:00Z'`, `"^a"`, `'('`, '`raw`', `'\\u0041'`,
];

const EXPRESSIONS = [
  `pod.status.phase in ['Running']`,
  `pod.status.phase == 'Running' and pod.metadata.name != nil`,
  `any(pod.status.containerStatuses, {.ready == false})`,
  `all(pod, # != nil)`,
  `len(pod) > 0`,
  `len(pod.spec.containers) > 1`,
  `pod matches '^a'`,
  `pod contains 'a'`,
  `'a' in pod`,
  `pod + 1`,
  `pod - pod`,
  `-pod`,
  `not pod`,
  `pod ?? 'x'`,
  `pod[0][1:]`,
  `pod.a.b.c[-1]`,
  `string(pod)`,
  `toJSON(pod)`,
  `keys(pod)`,
  `values(pod)`,
  `int(pod)`,
  `first(pod)`,
  `map(pod, #)`,
  `filter(pod, # == nil)`,
  `pod == pod`,
  `pod < pod`,
  `time.Parse(pod)`,
  `pod.Minutes()`,
  `pod?.Sub(pod)`,
  `duration(pod) > time.Minute`,
  `strings.ToUpper(pod)`,
];

const anyData = fc.anything({
  maxDepth: 3,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withBoxedValues: true,
  withSparseArray: true,
  withTypedArray: true,
  withObjectString: true,
});

describe('property: compile and evaluate fail only with ExpressionError', () => {
  it('random text never throws anything but a syntax ExpressionError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (source) => {
        const expression = tryCompile(source);
        if (expression !== undefined) tryEvaluate(expression, varsFixture());
      }),
      { numRuns: 2000 },
    );
  });

  it('random token soups never throw anything but ExpressionError, nor return a function', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }), (tokens) => {
        const expression = tryCompile(tokens.join(' '));
        if (expression === undefined) return;
        expect(containsFunction(tryEvaluate(expression, varsFixture()))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('random data as variables never makes evaluate throw anything but ExpressionError', () => {
    const compiled = EXPRESSIONS.map((source) => compileExpression(source));
    fc.assert(
      fc.property(anyData, (pod) => {
        for (const expression of compiled) {
          expect(containsFunction(tryEvaluate(expression, { pod, time: host.time, strings: host.strings }))).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});

const HOSTILE_NAMES = [
  'constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
  'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'length', 'caller',
  'arguments', 'apply', 'call', 'bind', 'then', 'Symbol', 'process', 'globalThis', 'require', 'location', 'toDate', 'toJSON',
];
const RECEIVERS = ['pod', 'pod.metadata', 'time', 'strings', '[1]', `'s'`, 'time.Now()', `duration('1s')`, '{}', '{a: 1}', '$env', 'nil', 'missing'];

describe('property: hostile names never reach prototypes', () => {
  it('static, computed and concatenated access yields nil or a runtime error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RECEIVERS), fc.constantFrom(...HOSTILE_NAMES), fc.nat({ max: 3 }), (receiver, name, form) => {
        const cut = Math.floor(name.length / 2);
        const source = [
          `${receiver}.${name}`,
          `${receiver}['${name}']`,
          `${receiver}['${name.slice(0, cut)}' + '${name.slice(cut)}']`,
          `get(${receiver}, '${name}')`,
        ][form] ?? '';
        const expression = tryCompile(source);
        if (expression === undefined) return;
        const result = tryEvaluate(expression, varsFixture());
        expect(result instanceof ExpressionError || result === null).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a computed key from data returns exactly the own, non-blocked value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }), fc.string(), (data, extraKey) => {
        const expression = compileExpression('data[key]');
        for (const key of [...Object.keys(data), extraKey, ...HOSTILE_NAMES]) {
          const expected = Object.hasOwn(data, key) && !isBlockedName(key) ? data[key] : null;
          expect(expression.evaluate({ data, key })).toEqual(expected ?? null);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('bare hostile identifiers are nil whatever the variables object inherits', () => {
    const vars = Object.create({ inherited: 1 }) as Record<string, unknown>;
    for (const name of [...HOSTILE_NAMES.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)), 'inherited']) {
      const expression = tryCompile(name);
      if (expression !== undefined) expect(tryEvaluate(expression, vars)).toBeNull();
    }
  });

  it('host values keep working when mixed with hostile names', () => {
    expect(compileExpression('time.Now()').evaluate(varsFixture())).toBeInstanceOf(GoTime);
    expect(compileExpression('time.Minute').evaluate(varsFixture())).toBeInstanceOf(GoDuration);
  });
});
