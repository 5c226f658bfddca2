import { afterAll, describe, expect, it } from 'vitest';
import { EvaluatorErrorCodes, ExpressionError } from '../errors.ts';
import { offThread } from '../__fixtures__/off-thread.ts';
import { compileExpression, evaluateCondition } from './compile-expression.ts';
import { EXPRESSION_STEP_LIMIT } from './evaluation-budget.ts';

/**
 * Issue 12, break 1: "One regex and one Pod name freeze all of Herald". With a backtracking engine,
 * `'^(a+)+$'` against 40 × `a` + `-b` runs for longer than the universe: these evaluations run in a
 * worker, so such a regression fails on the test timeout rather than hanging the test run.
 */
const worker = offThread();
afterAll(async () => {
  await worker.stop();
});

const HOSTILE_NAME = `${'a'.repeat(40)}-b`;
const pod = (name: string) => ({ pod: { metadata: { name } } });

describe('break 1: one regex and one Pod name freeze all of Herald', () => {
  it.each([
    [HOSTILE_NAME, false],
    ['a'.repeat(40), true],
  ])('pod.metadata.name matches \'^(a+)+$\' for %s is %s, at once', async (name, expected) => {
    const outcome = await worker.run({ kind: 'condition', source: `pod.metadata.name matches '^(a+)+$'`, vars: pod(name) });
    expect(outcome).toEqual({ value: expected });
  }, 30_000);

  it('a hostile pattern from the object itself is matched in linear time', async () => {
    const outcome = await worker.run({ kind: 'condition', source: 'pod.metadata.name matches pod.spec.pattern', vars: { pod: { metadata: { name: HOSTILE_NAME }, spec: { pattern: '(x+x+)+y|^(a|aa)+$' } } } });
    expect(outcome).toEqual({ value: false });
  }, 30_000);

  it.each([
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['foo(?=bar)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?<!x)y', 'invalid named capture'],
    ['a{1001}', 'invalid repeat count'],
  ])('a pattern Go\'s regexp.Compile refuses (%s) is a compile error', (pattern, message) => {
    const source = `pod.metadata.name matches '${pattern.replaceAll('\\', '\\\\')}'`;
    expect(() => compileExpression(source)).toThrow(ExpressionError);
    expect(() => compileExpression(source)).toThrow(`invalid regular expression ${JSON.stringify(pattern)}: error parsing regexp: ${message}`);
  });

  it.each([
    ['(?i)^WEB-\\d+$', 'web-12', true],
    ['^\\pL+$', 'héllo', true],
    ['^[[:alpha:]]+$', 'abc', true],
    ['\\Aweb\\z', 'web', true],
    ['a$', 'a\n', false],
    ['^(?P<app>[a-z]+)-', 'web-1', true],
  ])('Go semantics: %s on %j is %s', (pattern, text, expected) => {
    const source = `pod.metadata.name matches '${pattern.replaceAll('\\', '\\\\')}'`;
    expect(evaluateCondition(compileExpression(source), pod(text))).toEqual({ value: expected });
  });
});

describe('break 1: a bound on every evaluation', () => {
  it.each([
    'all(1..999999, all(1..999999, # >= 0))',
    'len(map(1..999999, repeat("x", 1000000))) > 0',
    'count(1..999999, {len(filter(1..999999, # > 0)) > 0}) > 0',
    'len(toJSON(map(1..999999, 1..999999))) > 0',
  ])('%s is an error naming the bound, and the condition false', async (source) => {
    const outcome = await worker.run({ kind: 'condition', source, vars: {} });
    expect(outcome).toEqual({ value: false, error: { code: EvaluatorErrorCodes.expressionRuntime, message: expect.stringContaining(`evaluation stopped after ${EXPRESSION_STEP_LIMIT} steps`) as unknown } });
  }, 30_000);

  it('the bound is per evaluation: the next one starts afresh', () => {
    const heavy = compileExpression('all(1..999999, all(1..999999, true))');
    const light = compileExpression(`all(1..1000, # > 0)`);
    expect(evaluateCondition(heavy, {}).error?.message).toContain('evaluation stopped');
    expect(evaluateCondition(light, {})).toEqual({ value: true });
  });

  it('strings.ReplaceAll cannot build gigabytes', () => {
    const outcome = evaluateCondition(compileExpression(`len(strings.ReplaceAll(repeat('a', 1000), '', repeat('b', 999999))) > 0`), {});
    expect(outcome.value).toBe(false);
    expect(outcome.error?.message).toContain('result too large');
  });
});
