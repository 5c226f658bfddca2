import { describe, expect, it } from 'vitest';
import { durationSchema, DurationError, isHeraldError, parseDuration, parseDurationNanoseconds } from './index.ts';

const ms = 1e6;
const s = 1e9;
const m = 60 * s;
const h = 60 * m;

describe('parseDurationNanoseconds (Go time.ParseDuration)', () => {
  // Cases from Go's time.ParseDuration tests.
  it.each([
    ['0', 0], ['-0', 0], ['+0', 0], ['5s', 5 * s], ['-5s', -5 * s], ['+5s', 5 * s], ['5.6s', 5.6 * s], ['5.s', 5 * s], ['.5s', 0.5 * s],
    ['1.004s', 1004 * ms], ['10ns', 10], ['11us', 11_000], ['12\u00b5s', 12_000], ['12\u03bcs', 12_000], ['13ms', 13 * ms], ['15m', 15 * m],
    ['16h', 16 * h], ['1h30m', 90 * m], ['-1.5h', -1.5 * h], ['10.5s4m', 4 * m + 10.5 * s], ['1h2m3s4ms5us6ns', h + 2 * m + 3 * s + 4 * ms + 5_006],
    ['0.3333333333333333333h', 20 * m],
  ])('%s is %d ns', (text, expected) => {
    expect(parseDurationNanoseconds(text)).toBe(expected);
  });

  it.each([
    ['', 'no number'], ['3', 'missing unit after 3'], ['1h30', 'missing unit after 30'], ['-', 'no number'], ['s', 'a unit without a number'],
    ['.s', 'a unit without a number'], ['1d', 'unknown unit "d"'], ['1 h', 'unknown unit " h"'], ['3000000h', 'longer than Go can hold (about 292 years)'],
    ['1constructor', 'unknown unit "constructor"'], [' 1s', 'a unit without a number'],
  ])('rejects %j: %s', (text, reason) => {
    expect(() => parseDurationNanoseconds(text)).toThrow(`${JSON.stringify(text)} is not a duration: ${reason} (use e.g. 500ms, 10s, 5m, 1h30m)`);
  });

  it('takes days only when asked', () => {
    expect(parseDurationNanoseconds('1d12h', { days: true })).toBe(36 * h);
    expect(() => parseDurationNanoseconds('1d')).toThrow('unknown unit "d"');
  });
});

describe('parseDuration (config durations, milliseconds)', () => {
  it.each<[string, number, boolean?]>([
    ['500ms', 500], ['10s', 10_000], ['1h30m', 5_400_000], ['1.5s', 1_500], ['0', 0], ['0s', 0], ['+3s', 3_000], ['1500us', 2], ['1499us', 1],
    ['2000000ns', 2], [' 10s\n', 10_000], ['7d', 604_800_000, true], ['1.5d', 129_600_000, true], ['1d2h', 93_600_000, true],
  ])('%j is %d ms (days: %s)', (text, expected, days) => {
    expect(parseDuration(text, { days: days ?? false })).toBe(expected);
  });

  it.each<[string, string, boolean?]>([
    ['-1s', '"-1s" is not a duration: it is negative (use e.g. 500ms, 10s, 5m, 1h30m)'],
    ['12x', '"12x" is not a duration: unknown unit "x" (use e.g. 500ms, 10s, 5m, 1h30m, 7d)', true],
    ['7d', '"7d" is not a duration: unknown unit "d" (use e.g. 500ms, 10s, 5m, 1h30m)'],
    ['100', '"100" is not a duration: missing unit after 100 (use e.g. 500ms, 10s, 5m, 1h30m)'],
    ['soon', '"soon" is not a duration: a unit without a number (use e.g. 500ms, 10s, 5m, 1h30m)'],
  ])('rejects %j with a coded error naming it', (text, message, days) => {
    let thrown: unknown;
    try {
      parseDuration(text, { days: days ?? false });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DurationError);
    expect(isHeraldError(thrown) && thrown.code).toBe('HERALD_ERR_DURATION_INVALID');
    expect(thrown).toMatchObject({ message, input: text, retryable: false });
  });
});

describe('durationSchema', () => {
  const schema = durationSchema({ days: true });

  it('takes milliseconds or a duration string', () => {
    expect(schema.parse(250)).toBe(250);
    expect(schema.parse('2d')).toBe(172_800_000);
  });

  it('rejects a bad string with the parser message, and a negative or fractional number', () => {
    expect(schema.safeParse('2y').error?.issues[0]?.message).toBe('"2y" is not a duration: unknown unit "y" (use e.g. 500ms, 10s, 5m, 1h30m, 7d)');
    expect(schema.safeParse(-1).success).toBe(false);
    expect(schema.safeParse(1.5).success).toBe(false);
  });
});
