import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../errors.ts';
import { varsFixture } from './__fixtures__/expr-vars.ts';
import { compileError } from './__fixtures__/compile-error.ts';
import { compileExpression, evaluateCondition } from './compile-expression.ts';

describe('syntax errors', () => {
  it.each<[string, string, number]>([
    [`pod.spec.containers[0]] == 1`, 'unexpected token "]" at column 23', 23],
    [`pod.status.phase in ['Running'`, 'unexpected end of expression at column 31', 31],
    ['1 +', 'unexpected end of expression at column 4', 4],
    ['(1 + 2', 'unexpected end of expression at column 7', 7],
    ['let x = 1 x * 2', 'unexpected token "x" at column 11', 11],
    ['if true { 1 }', 'unexpected end of expression at column 14', 14],
    ['a = 1', 'unexpected token "=" at column 3', 3],
    ['a :: b', 'unsupported construct "::" at column 3', 3],
    ['foo(1)', 'unknown function "foo" at column 1', 1],
    ['pod.metadata.name.toUpperCase()', 'unknown method "toUpperCase" at column 19', 19],
    ['pod.constructor()', 'unknown method "constructor" at column 5', 5],
    [`'abc'.String()`, 'cannot call String() on a literal at column 7', 7],
    ['len(1, 2)', 'len() takes 1 argument, got 2 at column 1', 1],
    ['split()', 'split() takes 2 to 3 arguments, got 0 at column 1', 1],
    ['now(1)', 'now() takes no arguments at column 1', 1],
    [`date('2024-01-01', '2006-01-02')`, 'date() takes 1 argument, got 2 at column 1', 1],
    [`pod.name matches '(unclosed'`, 'invalid regular expression "(unclosed": ', 18],
    [`'unterminated`, 'unterminated string at column 1', 1],
    ['"bad \\q escape"', 'invalid escape sequence in string at column 6', 6],
    ['1 + @', 'unexpected character "@" at column 5', 5],
    ['#', '"#" can only be used inside a predicate at column 1', 1],
    ['.name', '"." can only be used inside a predicate at column 1', 1],
    ['map(xs, #acc)', 'unknown pointer #acc at column 9', 9],
    ['filter(xs, #index > 0)', 'unknown pointer #index at column 12', 12],
    ['a ?? b + c', 'operator "+" and "??" cannot be mixed without parentheses at column 8', 8],
    ['a not b', 'unexpected token "b" at column 7', 7],
    ['a.', 'expected a property name at column 3', 3],
    ['a.1', 'expected a property name at column 3', 3],
    ['all(xs)', 'unexpected token ")" at column 7', 7],
    ['{a 1}', 'unexpected token "1" at column 4', 4],
    ['{[1]: 2}', 'a map key must be a name, a string, a number or an expression in parentheses at column 2', 2],
    ['/* unterminated', 'unterminated comment at column 1', 1],
    ['0x', 'unexpected token "x" at column 2', 2],
    ['0x_', 'invalid number "0x_" at column 1', 1],
    ['1e999', 'invalid number "1e999" at column 1', 1],
    ['a ==\n  ]', 'unexpected token "]" at line 2, column 3', 3],
    ['a == ]\n', 'unexpected token "]" at column 6', 6],
    ['x | 1', 'unexpected token "1" at column 5', 5],
    [`${'('.repeat(150)}1${')'.repeat(150)}`, 'expression nested too deeply', 101],
  ])('%j: %s', (source, message, column) => {
    const error = compileError(source);
    expect(error.code).toBe('HERALD_ERR_EXPR_SYNTAX');
    expect(error.name).toBe('ExpressionError');
    expect(error.message).toContain(message);
    expect(error.column).toBe(column);
  });

  it('rejects a source that is not a string', () => {
    expect(compileError(42 as never).code).toBe('HERALD_ERR_EXPR_SYNTAX');
  });
});

describe('runtime errors', () => {
  it.each<[string, string]>([
    [`pod.metadata.name + 1`, 'invalid operation: + (mismatched types string and int)'],
    ['pod.missing < 1', 'invalid operation: < (mismatched types nil and int)'],
    ['pod.metadata.name > 3', 'mismatched types string and int'],
    ['len(pod.missing)', 'invalid argument for len (type nil)'],
    [`time.Parse('yesterday')`, 'cannot parse "yesterday" as RFC 3339'],
    ['time.Parse(pod.missing)', 'time.Parse: argument 1 must be a string, got nil'],
    ['pod.missing.Minutes()', 'cannot call Minutes() on nil'],
    ['pod.metadata.Minutes()', 'cannot call Minutes() on map'],
    ['pod.metadata.name.String()', 'cannot call String() on string'],
    [`pod.metadata.name matches pod.badPattern`, 'invalid regular expression "("'],
    ['pod.one and pod.missing', 'and needs a bool, got int'],
    ['pod.missing or pod.one', 'or needs a bool, got nil'],
    ['not pod.missing', 'not needs a bool, got nil'],
    ['pod ? 1 : 2', 'the condition of ?: needs a bool, got map'],
    ['all(pod.missing, # > 1)', 'all(): argument 1 must be an array, got nil'],
    ['filter([1, 2], # + pod.one)', 'the predicate of filter() needs a bool, got int'],
    ['1 % 0', 'integer divide by zero'],
    [`int('x')`, 'cannot convert string "x" to int'],
    [`duration('5 minutes')`, 'invalid duration "5 minutes"'],
    ['time.Now().Sub(5)', 'Time.Sub expects a time'],
    ['time.Now().Add()', 'Add() takes 1 argument, got 0'],
    [`'x' in pod.metadata.name`, 'operator "in" not defined on string'],
    ['1..2000000', 'range 1..2000000 is longer than 1000000'],
    ['[1, 2][pod.half:]', 'slice bounds must be integers'],
    ['pod.missing[1:]', 'cannot slice <nil>'],
    ['pod.one[0]', 'cannot fetch 0 from int'],
    ['pod.metadata[0]', 'cannot fetch 0 from map'],
    ['pod.metadata.name[0][1]', 'cannot fetch 1 from int'],
    [`upper(pod.metadata)`, 'upper(): argument 1 must be a string, got map'],
  ])('%s: %s', (source, message) => {
    const expression = compileExpression(source);
    const vars = varsFixture({ pod: { metadata: { name: 'web-1' }, badPattern: '(', one: 1, half: 0.5 } });
    let caught: unknown;
    try {
      expression.evaluate(vars);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect((caught as ExpressionError).code).toBe('HERALD_ERR_EXPR_RUNTIME');
    expect((caught as ExpressionError).message).toContain(message);
  });
});

describe('evaluateCondition', () => {
  it.each<[string, boolean, string | undefined]>([
    ['1 == 1', true, undefined],
    ['1 == 2', false, undefined],
    [`'true'`, false, 'condition returned string, not a bool'],
    ['1', false, 'condition returned int, not a bool'],
    ['pod.missing', false, 'condition returned nil, not a bool'],
    ['[true]', false, 'condition returned array, not a bool'],
    [`pod.metadata.name + 1 == 'a1'`, false, 'mismatched types string and int'],
    ['', false, undefined],
  ])('%j is %s', (source, value, message) => {
    const result = evaluateCondition(compileExpression(source), varsFixture());
    expect(result.value).toBe(value);
    if (message === undefined) {
      expect(result.error).toBeUndefined();
    } else {
      expect(result.error).toBeInstanceOf(ExpressionError);
      expect(result.error?.code).toBe('HERALD_ERR_EXPR_RUNTIME');
      expect(result.error?.message).toContain(message);
    }
  });

  it('never throws, even when evaluate does something unexpected', () => {
    const broken = { source: 'x', evaluate: () => { throw new TypeError('boom'); } };
    expect(evaluateCondition(broken, {})).toMatchObject({ value: false, error: { code: 'HERALD_ERR_EXPR_RUNTIME', message: 'boom' } });
  });
});
