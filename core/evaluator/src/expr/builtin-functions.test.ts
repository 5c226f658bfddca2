import { describe, expect, it } from 'vitest';
import { GoDuration, GoTime } from '../host/index.ts';
import { NOW, varsFixture } from './__fixtures__/expr-vars.ts';
import { BUILTINS } from './builtin-functions.ts';
import { compileExpression } from './compile-expression.ts';

const run = (source: string): unknown => compileExpression(source).evaluate(varsFixture());

describe('builtin functions', () => {
  it.each<[string, unknown]>([
    ['len([1, 2, 3])', 3],
    // expr-lang counts runes here (its indexes and slices count bytes).
    [`len('héllo')`, 5],
    ['len({a: 1, b: 2})', 2],
    ['len(pod.spec.containers)', 2],
    [`upper('abc')`, 'ABC'],
    [`lower('ABC')`, 'abc'],
    [`trim('  x  ')`, 'x'],
    [`trim('__x__', '_')`, 'x'],
    [`trimPrefix('HelloWorld', 'Hello')`, 'World'],
    [`trimSuffix('HelloWorld', 'World')`, 'Hello'],
    [`split('a,b,c', ',')`, ['a', 'b', 'c']],
    [`split('a,b,c', ',', 2)`, ['a', 'b,c']],
    [`split('abc', '')`, ['a', 'b', 'c']],
    [`join(['a', 'b'], ', ')`, 'a, b'],
    [`join(['a', 'b'])`, 'ab'],
    [`replace('a.b.c', '.', '$&')`, 'a$&b$&c'],
    [`repeat('ab', 3)`, 'ababab'],
    [`indexOf('apple pie', 'pie')`, 6],
    [`lastIndexOf('apple pie apple', 'apple')`, 10],
    [`hasPrefix('prod-x', 'prod-')`, true],
    [`hasSuffix('prod-x', '-y')`, false],
    ['keys({a: 1, b: 2})', ['a', 'b']],
    ['keys({b: 1, a: 2})', ['a', 'b']],
    [`splitAfter('a,b,c', ',')`, ['a,', 'b,', 'c']],
    [`splitAfter('a,b,c', ',', 2)`, ['a,', 'b,c']],
    [`toBase64('hi')`, 'aGk='],
    [`fromBase64('aGk=')`, 'hi'],
    ['mean([1, 2, 3, 4])', 2.5],
    ['mean(1, [2, 3])', 2],
    ['median([3, 1, 2])', 2],
    ['median([4, 1, 2, 3])', 2.5],
    ['take([1, 2, 3], 2)', [1, 2]],
    ['take([1], 5)', [1]],
    ['reverse([1, 2, 3])', [3, 2, 1]],
    ['sort([3, 1, 2])', [1, 2, 3]],
    [`sort(['b', 'a'], 'desc')`, ['b', 'a']],
    ['concat([1], [2, 3])', [1, 2, 3]],
    ['flatten([[1], [2, [3]]])', [1, 2, 3]],
    ['uniq([1, 1, 2])', [1, 2]],
    ['bitand(6, 3)', 2],
    ['bitor(6, 3)', 7],
    ['bitxor(6, 3)', 5],
    ['bitnand(6, 3)', 4],
    ['bitnot(0)', -1],
    ['bitshl(1, 4)', 16],
    ['bitshr(16, 2)', 4],
    ['bitshr(-16, 2)', -4],
    [`sortBy([{'n': 2}, {'n': 1}], .n)`, [{ n: 1 }, { n: 2 }]],
    ['groupBy([1, 2, 3], # % 2)', { 0: [2], 1: [1, 3] }],
    ['values({a: 1, b: 2})', [1, 2]],
    ['keys(pod.metadata.labels)', ['app', 'app.kubernetes.io/name']],
    ['abs(-5)', 5],
    ['ceil(1.2)', 2],
    ['floor(1.8)', 1],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['min(5, 7, 3)', 3],
    ['max(5, 7, 3)', 7],
    ['max([1, 9, 4])', 9],
    ['max([1, [9, [12]]], 4)', 12],
    ['min([])', null],
    ['max(pod.metadata.name)', 'web-1'],
    ['max(pod.missing)', null],
    ['first([1, 2, 3])', 1],
    ['last([1, 2, 3])', 3],
    ['first([])', null],
    ['first(pod.missing)', null],
    [`get(pod.metadata, 'name')`, 'web-1'],
    ['get([1, 2], 5)', null],
    ['type(1)', 'int'],
    ['type(1.5)', 'float'],
    [`type('s')`, 'string'],
    ['type(nil)', 'nil'],
    ['type([1])', 'array'],
    ['type(pod)', 'map'],
    ['type(now())', 'time.Time'],
    [`type(duration('1s'))`, 'time.Duration'],
    ['string(123)', '123'],
    ['string(1.5)', '1.5'],
    ['string(0.0000001)', '1e-07'],
    ['string(1234567.5)', '1.2345675e+06'],
    ['string(true)', 'true'],
    ['string(nil)', '<nil>'],
    [`string([1, 'a', nil])`, '[1 a <nil>]'],
    [`string({b: 2, a: [1]})`, 'map[a:[1] b:2]'],
    [`string(duration('90s'))`, '1m30s'],
    [`string(date('2024-01-01'))`, '2024-01-01 00:00:00 +0000 UTC'],
    [`int('42')`, 42],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    [`int(duration('1us'))`, 1000],
    [`float('1.5')`, 1.5],
    ['float(2)', 2],
    [`toJSON({b: 1, a: [true, nil]})`, '{\n  "a": [\n    true,\n    null\n  ],\n  "b": 1\n}'],
    [`toJSON(duration('1m'))`, '60000000000'],
    [`toJSON(date('2024-01-01'))`, '"2024-01-01T00:00:00Z"'],
    [`fromJSON('{"a": [1, 2]}').a[1]`, 2],
    [`duration('1h30m').Minutes()`, 90],
    [`date('2024-01-01T00:00:00+01:00').UTC().Format('15:04')`, '23:00'],
  ])('%s', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('now() reads the clock of the `time` variable', () => {
    const now = run('now()');
    expect(now).toBeInstanceOf(GoTime);
    expect((now as GoTime).UnixMilli()).toBe(NOW);
    expect(run(`duration('5m')`)).toBeInstanceOf(GoDuration);
  });

  it('has a sane arity for every builtin', () => {
    for (const [name, builtin] of BUILTINS) {
      expect(builtin.min, name).toBeLessThanOrEqual(builtin.max);
      expect(typeof builtin.fn, name).toBe('function');
    }
  });
});
