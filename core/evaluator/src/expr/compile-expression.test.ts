import { describe, expect, it } from 'vitest';
import { GoDuration } from '../host/index.ts';
import { varsFixture } from './__fixtures__/expr-vars.ts';
import { compileExpression } from './compile-expression.ts';

const run = (source: string, extra: Record<string, unknown> = {}): unknown => compileExpression(source).evaluate(varsFixture(extra));

// Results compared with toEqual: maps built by expressions have a null prototype.
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('literals', () => {
  it.each<[string, unknown]>([
    [`'single'`, 'single'],
    [`"double"`, 'double'],
    [String.raw`"tab\t \"q\" \u00e9 \x41 \101 \\"`, 'tab\t "q" é A A \\'],
    [String.raw`'it\'s'`, "it's"],
    ['`raw \\n ${x}`', 'raw \\n ${x}'],
    ['42', 42],
    ['0x2A', 42],
    ['0o52', 42],
    ['0b101010', 42],
    ['1_000_000', 1000000],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['2.5e-1', 0.25],
    ['true', true],
    ['false', false],
    ['nil', null],
    [`[1, 'a', nil, [true]]`, [1, 'a', null, [true]]],
    ['[1, 2,]', [1, 2]],
    ['[]', []],
    [`{a: 1, "b c": 2, 3: 'x', 'd': [1]}`, { a: 1, 'b c': 2, 3: 'x', d: [1] }],
    ['{(pod.kind): pod.metadata.name}', { Pod: 'web-1' }],
    ['1 /* a comment */ + 2 // and another', 3],
  ])('%s', (source, expected) => {
    expect(plain(run(source))).toEqual(expected);
  });
});

describe('operators', () => {
  it.each<[string, unknown]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 2 - 3', 5],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    ['2 ** 10', 1024],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ** 2', -4],
    ['-3 + 1', -2],
    ['-(1 + 2)', -3],
    ['+5', 5],
    [`'a' + 'b'`, 'ab'],
    ['1 < 2', true],
    ['2 <= 2', true],
    [`'a' < 'b'`, true],
    ['3 > 2.5', true],
    ['3 >= 4', false],
    ['1 == 1.0', true],
    [`pod.metadata.name == 1`, false],
    ['nil == nil', true],
    ['pod.missing == nil', true],
    ['pod.missing != nil', false],
    ['[1, [2]] == [1, [2]]', true],
    ['{a: 1} == {a: 1}', true],
    ['{a: 1} == {a: 2}', false],
    ['1 < 2 < 3', true],
    ['1 < 3 < 2', false],
    ['true and false', false],
    ['true && true', true],
    ['false or true', true],
    ['false || false', false],
    ['not true', false],
    ['!false', true],
    ['not (1 == 2)', true],
    ['not true == false', true],
    ['false and len(pod.missing) > 0', false],
    ['true or len(pod.missing) > 0', true],
    [`'Running' in ['Running', 'Pending']`, true],
    [`'x' not in ['a']`, true],
    [`'phase' in pod.status`, true],
    [`'nope' in pod.status`, false],
    ['2 in [1, 2.0]', true],
    ['nil in [nil]', true],
    [`'a' in pod.missing`, false],
    [`'foobar' contains 'oba'`, true],
    [`'foobar' not contains 'x'`, true],
    [`'foobar' startsWith 'foo'`, true],
    [`'foobar' endsWith 'bar'`, true],
    [`'abc' matches '^a.c$'`, true],
    [`'ABC' matches '(?i)^abc$'`, true],
    [`'abc' not matches 'x'`, true],
    ['pod.metadata.name matches pod.pattern', true],
    [`1 < 2 ? 'yes' : 'no'`, 'yes'],
    ['false ? 1 : true ? 2 : 3', 2],
    ['true ?: 3', true],
    [`pod.missing ?? 'default'`, 'default'],
    [`pod.metadata.name ?? 'default'`, 'web-1'],
    ['nil ?? nil ?? 3', 3],
    ['1..3', [1, 2, 3]],
    ['3..1', []],
    ['2 in 1..3', true],
  ])('%s', (source, expected) => {
    expect(run(source, { pod: { ...varsFixture().pod as object, pattern: '^web-\\d$' } })).toEqual(expected);
  });
});

describe('member access', () => {
  it.each<[string, unknown]>([
    ['pod.metadata.name', 'web-1'],
    [`pod['metadata']['name']`, 'web-1'],
    [`pod.metadata.labels['app.kubernetes.io/name']`, 'web'],
    ['pod.spec.containers[0].name', 'web'],
    ['pod.spec.containers[-1].name', 'sidecar'],
    ['pod.spec.containers[1.5]', null],
    ['pod?.metadata?.name', 'web-1'],
    ['pod.missing?.deeper', null],
    ['pod.missing?.[0]', null],
    ['pod.missing?.deep.chain', null],
    ['pod.missing?.deep.chain[0]', null],
    ['pod.metadata.missing', null],
    ['pod.spec.containers[pod.index].name', 'sidecar'],
    ['len(pod.spec.containers[1:])', 1],
    [`'hello'[1:3]`, 'el'],
    // A string's element is a byte, as in Go: '1' is 49.
    [`pod.metadata.name[-1]`, 49],
    [`pod.metadata.name[0] == 'w'`, false],
    [`'héllo'[1:3]`, 'é'],
    ['[1, 2, 3, 4][:2]', [1, 2]],
    ['[1, 2, 3, 4][-2:]', [3, 4]],
    ['[1, 2, 3, 4][2:1]', []],
    ['[1, 2, 3, 4][:]', [1, 2, 3, 4]],
    ['unknownVariable', null],
    ['$env.pod.metadata.name', 'web-1'],
    [`'pod' in $env`, true],
    [`'nope' in $env`, false],
  ])('%s', (source, expected) => {
    expect(run(source, { pod: { ...varsFixture().pod as object, index: 1 } })).toEqual(expected);
  });
});

describe('predicates and the pipe', () => {
  it.each<[string, unknown]>([
    [`all(pod.spec.containers, {.image contains ':'})`, true],
    ['any([1, 2, 3], # > 2)', true],
    ['none([1, 2, 3], # > 3)', true],
    ['one([1, 2, 3], # > 2)', true],
    ['one([1, 2, 3], # > 1)', false],
    ['all([], false)', true],
    ['any([], true)', false],
    ['filter([1, 2, 3], {# > 1})', [2, 3]],
    ['map(pod.spec.containers, {.name})', ['web', 'sidecar']],
    ['map(pod.spec.containers, #.name)', ['web', 'sidecar']],
    ['count([1, 2, 3], # > 1)', 2],
    ['count([true, false, true])', 2],
    ['sum([1, 2, 3])', 6],
    ['sum(pod.status.containerStatuses, .restartCount)', 2],
    ['find([1, 2, 3], # > 1)', 2],
    ['find([1], # > 5)', null],
    ['findIndex([1, 2, 3], # > 1)', 1],
    ['findLast([1, 2, 3], # > 1)', 3],
    ['findLastIndex([1, 2, 3], # > 1)', 2],
    ['map([10, 20], #index)', [0, 1]],
    ['any(pod.spec.containers, {any(.ports, {.containerPort == 9090})})', true],
    ['all(pod.spec.containers, {.name != pod.metadata.name})', true],
    ['map([[1, 2], [3]], {len(#)})', [2, 1]],
    ['map([[1, 2], [3]], {map(#, # * 10)})', [[10, 20], [30]]],
    [`filter(pod.spec.containers, .name startsWith 'side')[0].name`, 'sidecar'],
    ['pod.metadata.name | upper()', 'WEB-1'],
    ['[3, 1, 2] | filter(# > 1) | map(# * 10)', [30, 20]],
    [`pod.status.containerStatuses | any(.ready == false)`, true],
  ])('%s', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe('times, durations and host functions', () => {
  it.each<[string, unknown]>([
    [`time.Now().Sub(time.Parse('2024-01-01T00:00:00Z')).Minutes()`, 10],
    [`time.Now().Sub(time.Parse('2024-01-01T00:00:00Z')) > duration('5m')`, true],
    [`time.Since(time.Parse('2024-01-01T00:00:00Z')).String()`, '10m0s'],
    [`time.Minute * 5 == duration('5m')`, true],
    [`5 * time.Minute > duration('4m59s')`, true],
    ['(time.Minute * 5).Minutes()', 5],
    [`duration('90s').String()`, '1m30s'],
    [`duration('1h') > duration('59m')`, true],
    [`duration('1h') / duration('30m')`, 2],
    [`(duration('1h') / 4).String()`, '15m0s'],
    [`(-duration('1h')).Abs().Hours()`, 1],
    [`duration('1h') - duration('1m') == duration('59m')`, true],
    [`now() - duration('1h') < now()`, true],
    [`now() - time.Parse('2024-01-01T00:00:00Z') == duration('10m')`, true],
    [`(time.Parse('2024-01-01T00:00:00Z') + duration('1h')).Format('15:04')`, '01:00'],
    [`date('2024-01-01') < now()`, true],
    [`date('2024-01-01 00:10:00') == now()`, true],
    [`time.Now().Format('2006-01-02')`, '2024-01-01'],
    ['time.Format(time.Now())', '2024-01-01T00:10:00Z'],
    ['time.Hour.Hours()', 1],
    ['d.Minutes() >= 5', true],
    ['d > time.Minute', true],
    ['string(d)', '7m30s'],
    ['strings.ToUpper(pod.metadata.name)', 'WEB-1'],
    [`strings.ReplaceAll('a.b.c', '.', '-')`, 'a-b-c'],
    [`strings.ToLower('ABC')`, 'abc'],
    [`strings.Contains(pod.metadata.name, 'eb')`, true],
    ['pod.missing?.Minutes()', null],
    ['pod?.missing?.Minutes()', null],
  ])('%s', (source, expected) => {
    expect(run(source, { d: new GoDuration(450e9) })).toEqual(expected);
  });

  it('returns host values to the caller', () => {
    expect(run('time.Minute * 5')).toBeInstanceOf(GoDuration);
    expect(String(run(`time.Parse('2024-01-01T00:00:00Z')`))).toBe('2024-01-01 00:00:00 +0000 UTC');
  });

  it('uses the default host when the variables have no time or strings', () => {
    const expression = compileExpression(`strings.ToUpper('a') == 'A' and time.Now().After(time.Parse('2020-01-01T00:00:00Z'))`);
    expect(expression.evaluate({})).toBe(true);
  });
});

describe('member access errors, as expr-lang fetches', () => {
  it.each([
    ['pod.spec.containers[5]', 'index out of range: 5 (array length is 2)'],
    ['pod.spec.containers.name', 'cannot fetch name from array'],
    ['pod.missing.deep.chain', 'cannot fetch deep from <nil>'],
    ['pod.metadata?.missing.deeper', 'cannot fetch deeper from <nil>'],
    ['unknownVariable.a.b', 'cannot fetch a from <nil>'],
    ['(pod.missing?.deep).chain', 'cannot fetch chain from <nil>'],
    ['pod.metadata.name.first', 'cannot fetch first from string'],
  ])('%s', (source, message) => {
    expect(() => run(source, varsFixture())).toThrow(message);
  });
});

describe('compiled expressions', () => {
  it.each(['', '   ', '\n\t', '// only a comment'])('%j compiles to false, as an empty Argo `when`', (source) => {
    const expression = compileExpression(source);
    expect(expression.source).toBe(source);
    expect(expression.evaluate(varsFixture())).toBe(false);
  });

  it('keeps its source, is frozen, and can be evaluated many times against different variables', () => {
    const expression = compileExpression(`pod.status.phase in ['Running']`);
    expect(expression.source).toBe(`pod.status.phase in ['Running']`);
    expect(Object.isFrozen(expression)).toBe(true);
    expect(expression.evaluate({ pod: { status: { phase: 'Running' } } })).toBe(true);
    expect(expression.evaluate({ pod: { status: { phase: 'Pending' } } })).toBe(false);
    expect(() => expression.evaluate({})).toThrow('cannot fetch status from <nil>');
  });

  it.each([
    ['time.Now().Sub(time.Parse(pod.metadata.creationTimestamp)).Minutes() >= 5', true],
    ['now() > date(pod.metadata.creationTimestamp)', true],
    ['pod.status.phase == "Pending" && any(pod.status.conditions, {time.Now().After(time.Parse(.lastTransitionTime))})', true],
    ['{"at": [time.Now()]}.at[0] != nil', true],
    ['let t = time.Now(); t.Unix() > 0', true],
    ['time.Parse(pod.metadata.creationTimestamp).Unix() > 0', false],
    ['pod.status.phase in ["Running"]', false],
    ['', false],
  ])('%j reads the clock: %s', (source, clock) => {
    expect(compileExpression(source).readsClock).toBe(clock);
  });

  it('returns constants a caller cannot change for the next evaluation', () => {
    const expression = compileExpression('[1, [2]]');
    const first = expression.evaluate({}) as unknown[];
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first[1])).toBe(true);
    expect(expression.evaluate({})).toEqual([1, [2]]);
  });
});

// expr-lang's optimizer folds these before anything runs; Argo's engine gives the folded value.
describe('and/or with a constant side, as expr-lang folds them', () => {
  it.each<[string, unknown]>([
    ['pod.metadata.name and true', 'web-1'],
    ['true and pod.metadata.name', 'web-1'],
    ['pod.metadata.name or false', 'web-1'],
    ['pod.missing or true', true],
    ['pod.missing.deeper or true', true],
    ['false and pod.missing.deeper', false],
    ['(true and false) or pod.metadata.name', 'web-1'],
    ['not false and pod.metadata.name', 'web-1'],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe('nil operands that expr-lang tolerates', () => {
  it.each<[string, unknown]>([
    [`pod.missing contains 'a'`, false],
    [`'abc' startsWith pod.missing`, false],
    [`pod.missing endsWith 'c'`, false],
    [`pod.missing matches 'a'`, false],
    [`'abc' matches pod.missing`, false],
    // first and last fetch element 0 or -1 and give nil where that fails: a string's byte, nil for a number.
    ['first(pod.metadata.name)', 119],
    ['last(pod.metadata.name)', 49],
    ['first(pod.status.containerStatuses[0].restartCount)', null],
    ['last(pod.missing)', null],
    ['first(pod.metadata.labels)', null],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});
