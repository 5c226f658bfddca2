import { describe, expect, it } from 'vitest';
import { parseNotificationConfig } from '../config/parse-notification-config.ts';
import { varsFixture } from './__fixtures__/expr-vars.ts';
import { compileError } from './__fixtures__/compile-error.ts';
import { compileExpression } from './compile-expression.ts';

// What Argo's engine (expr-lang v1.17's checker, compiling without an environment) refuses when the config
// loads: only what has a type known before any object is seen.
describe('load-time type errors', () => {
  it.each<[string, string]>([
    [`'hello'[-1]`, 'type string[int] is undefined at column 8'],
    [`'hello'.name`, 'type string has no field name'],
    ['(nil).name', 'type nil has no field name'],
    [`[1, 2]['a']`, 'array elements can only be selected using an integer (got string)'],
    ['-true', 'invalid operation: - (mismatched type bool) at column 1'],
    [`not 'x'`, 'invalid operation: not (mismatched type string)'],
    [`'a' + 1`, 'invalid operation: + (mismatched types string and int) at column 5'],
    [`1 == 'a'`, 'invalid operation: == (mismatched types int and string)'],
    ['nil < 1', 'invalid operation: < (mismatched types nil and int)'],
    [`pod.x and 'yes'`, 'invalid operation: and (mismatched types unknown and string)'],
    ['true contains pod.x', 'invalid operation: contains (mismatched types bool and unknown)'],
    [`'x' in 'xyz'`, 'invalid operation: in (mismatched types string and string)'],
    [`'a' in [1, 2]`, 'cannot use string as type int in array'],
    ['{a: 1}[0]', 'cannot use int to get an element from map[string]interface {}'],
    ['1 in {a: 1}', 'cannot use int as type string in map key'],
    ['1.5 % 2', 'invalid operation: % (mismatched types float64 and int)'],
    [`['a', 'b'][0] + 1`, 'mismatched types string and int'],
    ['nil ? 1 : 2', 'non-bool expression (type nil) used as condition at column 1'],
    [`(1 + 2) ? pod.a : pod.b`, 'non-bool expression (type int) used as condition'],
    ['if 1 { 2 } else { 3 }', 'non-bool expression (type int) used as condition'],
    ['upper(1)', 'cannot use int as argument (type string) to call upper at column 7'],
    ['lower(nil)', 'cannot use nil as argument (type string) to call lower'],
    [`trim(['a'])`, 'not enough arguments to call trim'],
    [`repeat('a', 1.5)`, 'cannot use float64 as argument (type int) to call repeat'],
    ['len(20)', 'invalid argument for len (type int)'],
    ['len(nil)', 'invalid argument for len (type <nil>)'],
    ['abs(true)', 'invalid argument for abs (type bool)'],
    [`int([1])`, 'invalid argument for int (type []interface {})'],
    ['float(true)', 'invalid argument for float (type bool)'],
    ['first(1.5)', 'cannot get first element from float64'],
    [`last('abc')`, 'cannot get last element from string'],
    [`keys([1])`, 'cannot get keys from []interface {}'],
    [`all('abc', # == 'a')`, 'builtin all takes only array (got string)'],
    ['filter([1, 2], #)', 'predicate should return boolean (got int)'],
    ['filter([1, 2], #index > 0)', 'unknown pointer #index'],
    ['map([1], #acc)', 'unknown pointer #acc'],
    [`let x = 1; let x = 2; x`, 'cannot redeclare variable x'],
    [`let len = 1; len`, 'cannot redeclare builtin len'],
    [`let s = 'a'; s + 1`, 'invalid operation: + (mismatched types string and int)'],
    [`reduce('abc', #acc + #, '')`, 'builtin reduce takes only array (got string)'],
    [`sortBy([1], #, 1)`, 'sortBy order argument must be a string (got int)'],
  ])('%s: %s', (source, message) => {
    const error = compileError(source);
    expect(error.code).toBe('HERALD_ERR_EXPR_SYNTAX');
    expect(error.message).toContain(message);
  });

  // Object fields are of unknown type to the engine: these load and fail (or not) when they run.
  it.each<[string, unknown]>([
    ['pod.metadata.name[-1]', 49],
    ['len(pod.metadata.name)', 5],
    ['pod.x ?? 1', 1],
    ['first(pod.spec.containers).name', 'web'],
    ['abs(pod.status.containerStatuses[1].restartCount) + 1', 3],
    ['upper(first(["a", 1]))', 'A'],
    [`{a: 1}.a + 1`, 2],
    ['nil == pod.x', true],
    [`'a' in {a: 1}`, true],
    ['nil in [nil]', true],
    ['1 + 2.5', 3.5],
    ['(1 == 1) ? 1 : 2', 1],
    ['map([1, 2], # + #index)', [1, 3]],
    [`string(1) + 'x'`, '1x'],
    [`len(split('a,b', ','))`, 2],
    ['[pod.metadata.name, 1]', ['web-1', 1]],
    ['let n = pod.metadata.name; len(n)', 5],
  ])('%s loads and is %j', (source, expected) => {
    expect(compileExpression(source).evaluate(varsFixture())).toEqual(expected);
  });

  it('a config whose condition has a type error is refused, naming the key', () => {
    const { config, issues } = parseNotificationConfig({
      data: { 'trigger.on-x': `- when: "'hello'[-1] == 'o'"\n  oncePer: "-true"\n  send: [t]`, 'template.t': 'message: hi' },
    });
    expect(config).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ severity: 'error', key: 'trigger.on-x[0].when', message: expect.stringContaining('type string[int] is undefined') }));
    expect(issues).toContainEqual(expect.objectContaining({ severity: 'error', key: 'trigger.on-x[0].oncePer', message: expect.stringContaining('invalid operation: - (mismatched type bool)') }));
  });
});
