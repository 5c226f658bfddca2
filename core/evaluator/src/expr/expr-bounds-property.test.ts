import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EvaluatorErrorCodes } from '../errors.ts';
import { fuzzRuns, fuzzTimeout } from '../__fixtures__/fuzz-runs.ts';
import { offThread } from '../__fixtures__/off-thread.ts';
import { podFixture } from './__fixtures__/expr-vars.ts';

/**
 * Fuzz tier for issue 12 (no input can freeze Herald): random expressions built from the constructs that
 * can be made expensive (ranges, repeat, nested predicates, concatenation, regexes, JSON) are compiled
 * and evaluated in a worker. Each either compiles and evaluates to a value or fails with a typed
 * ExpressionError (`HERALD_ERR_EXPR_SYNTAX` / `HERALD_ERR_EXPR_RUNTIME`), and every evaluation ends: one
 * that did not would fail the test on its timeout.
 */
const RUNS = fuzzRuns(150);
const worker = offThread();
afterAll(async () => {
  await worker.stop();
});

/** Typed grammar, so that most cases get past type errors into the expensive part. */
const expression = fc.letrec<{ num: string; str: string; arr: string; bool: string }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', '2', '1000', '999999', '-1', '#index'),
    tie('arr').map((a) => `len(${a})`),
    fc.tuple(tie('num'), tie('num'), fc.constantFrom('+', '*', '-')).map(([a, b, op]) => `(${a} ${op} ${b})`),
  ),
  str: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(`'a'`, `''`, 'pod.metadata.name', `'(a+)+$'`, `'^(a|aa)+$'`, `'(a)\\\\1'`),
    fc.tuple(tie('str'), tie('num')).map(([a, n]) => `repeat(${a}, ${n})`),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
    fc.tuple(tie('str'), tie('str'), tie('str')).map(([a, b, c]) => `replace(${a}, ${b}, ${c})`),
    fc.tuple(tie('str'), tie('str'), tie('str')).map(([a, b, c]) => `strings.ReplaceAll(${a}, ${b}, ${c})`),
    fc.tuple(tie('arr'), fc.constantFrom('toJSON', 'string')).map(([a, f]) => `${f}(${a})`),
  ),
  arr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('[1, 2, 3]', 'pod.spec.containers', 'keys(pod)'),
    fc.tuple(tie('num'), tie('num')).map(([a, b]) => `(${a})..(${b})`),
    fc.tuple(tie('arr'), tie('num')).map(([a, b]) => `map(${a}, {${b}})`),
    fc.tuple(tie('arr'), tie('arr')).map(([a, b]) => `map(${a}, {${b}})`),
    fc.tuple(tie('arr'), tie('bool')).map(([a, b]) => `filter(${a}, {${b}})`),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `split(${a}, ${b})`),
  ),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('true', 'false'),
    fc.tuple(fc.constantFrom('all', 'any', 'none', 'one'), tie('arr'), tie('bool')).map(([p, a, b]) => `${p}(${a}, {${b}})`),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} matches ${b})`),
    fc.tuple(tie('num'), tie('arr')).map(([a, b]) => `(${a} in ${b})`),
    fc.tuple(tie('arr'), tie('arr')).map(([a, b]) => `(${a} == ${b})`),
    fc.tuple(tie('str'), tie('num')).map(([a, n]) => `(len(${a}) > ${n})`),
    fc.tuple(tie('arr'), tie('bool'), tie('num')).map(([a, b, n]) => `(count(${a}, {${b}}) >= ${n})`),
  ),
})).bool;

const TYPED = new Set<string>([EvaluatorErrorCodes.expressionSyntax, EvaluatorErrorCodes.expressionRuntime]);

describe('fuzz: expressions are bounded and fail only with typed errors', () => {
  it('random expressions over the expensive constructs end with a value or an ExpressionError', async () => {
    await fc.assert(
      fc.asyncProperty(expression, async (source) => {
        const outcome = await worker.run({ kind: 'condition', source, vars: { pod: podFixture() } });
        if (outcome.error !== undefined) expect(TYPED.has(outcome.error.code)).toBe(true);
        if (outcome.error === undefined) expect(typeof outcome.value).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  }, fuzzTimeout(RUNS));
});
