import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../errors.ts';
import { appFixture, varsFixture } from './__fixtures__/expr-vars.ts';
import { compileExpression, evaluateCondition } from './compile-expression.ts';

const run = (source: string, extra: Record<string, unknown> = {}): unknown => compileExpression(source).evaluate(varsFixture(extra));

describe('reduce', () => {
  it.each<[string, unknown]>([
    ['reduce([1, 2, 3], #acc + #, 0)', 6],
    ['reduce([1, 2, 3], #acc + #, 10)', 16],
    // Without an initial value the first element is #acc and the loop starts at the second (#index 1).
    ['reduce([1, 2, 3], #acc + #)', 6],
    ['reduce([5, 6, 7], #acc + #index)', 8],
    ['reduce([7], #acc * 100)', 7],
    ['reduce([], #acc + #, 42)', 42],
    [`reduce(['a', 'b'], #acc + '-' + #, 'x')`, 'x-a-b'],
    ['reduce([1, 2, 3], #acc + #index, 0)', 3],
    ['reduce([[1, 2], [3]], #acc + len(#), 0)', 3],
    ['reduce([1, 2], #acc + sum(map([1, 2], # * 10)), 0)', 60],
    ['[1, 2, 3] | reduce(#acc * #, 1)', 6],
    [`reduce(pod.spec.containers, #acc + .name, '')`, 'websidecar'],
    [`reduce(pod.status.containerStatuses, #acc + #.restartCount, 0)`, 2],
    // A string is iterated as its bytes, as expr-lang does.
    [`reduce(pod.metadata.name, #acc + 1, 0)`, 5],
    [`map(pod.metadata.name, #)`, [119, 101, 98, 45, 49]],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('refuses an empty array without an initial value when it runs, as expr-lang', () => {
    expect(() => run('reduce(pod.missing ?? [], #acc + #)')).toThrow(/reduce of empty array with no initial value/);
  });

  it('makes a condition over an Application’s history', () => {
    const app = appFixture({ history: [{ id: 1 }, { id: 2 }, { id: 3 }] });
    expect(evaluateCondition(compileExpression('reduce(app.status.history, #acc + #.id, 0) == 6'), varsFixture({ app }))).toEqual({ value: true });
  });

  it('sortBy takes an order after its predicate', () => {
    expect(run(`sortBy([2, 3, 1], #, 'desc')`)).toEqual([3, 2, 1]);
    expect(run(`sortBy([2, 3, 1], #, 'asc')`)).toEqual([1, 2, 3]);
    expect(() => run(`sortBy([2, 3, 1], #, pod.metadata.name)`)).toThrow(/unknown order "web-1"/);
  });
});

describe('let', () => {
  it.each<[string, unknown]>([
    ['let x = 2; x * 3', 6],
    ['let x = 2; let y = x + 1; x * y', 6],
    ['let name = pod.metadata.name; name + "!"', 'web-1!'],
    // A binding reaches to the end of the sequence it starts; siblings in parentheses may reuse a name.
    ['(let x = 1; x) + (let x = 5; x)', 6],
    ['let x = 1; let y = (let z = x + 1; z * 10); y + x', 21],
    ['let total = 0; map([1, 2], let y = # * 2; y + total)', [2, 4]],
    ['let pod = 3; pod', 3],
    ['let x = 3;\nx', 3],
    ['1; 2', 2],
    ['(1; 2) + 1', 3],
    ['let x = 1; x;', 1],
    ['if pod.metadata.name == "web-1" { "yes" } else { "no" }', 'yes'],
    ['if false { 1 } else if 1 < 2 { 2 } else { 3 }', 2],
    ['if false { 1 } else { let x = 4; x }', 4],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('a binding is evaluated once per evaluation and not kept for the next', () => {
    const expression = compileExpression('let n = pod.metadata.name; n');
    expect(expression.evaluate(varsFixture())).toBe('web-1');
    expect(expression.evaluate(varsFixture({ pod: { metadata: { name: 'other' } } }))).toBe('other');
  });

  it('an error inside a binding leaves the next evaluation clean', () => {
    const expression = compileExpression('let x = pod.metadata.name; let y = x + pod.n; y');
    expect(() => expression.evaluate(varsFixture({ pod: { metadata: { name: 'a' }, n: 1 } }))).toThrow(ExpressionError);
    expect(expression.evaluate(varsFixture({ pod: { metadata: { name: 'a' }, n: 'b' } }))).toBe('ab');
  });
});
