import { describe, expect, it } from 'vitest';
import { GoDuration, parseGoDuration } from './go-duration.ts';

const ns = 1;
const us = 1e3;
const ms = 1e6;
const s = 1e9;
const m = 60 * s;
const h = 60 * m;

describe('GoDuration.String', () => {
  // Expected strings are what Go's time.Duration.String prints for the same values.
  it.each([
    [0, '0s'],
    [1 * ns, '1ns'],
    [999 * ns, '999ns'],
    [1 * us, '1µs'],
    [1100 * ns, '1.1µs'],
    [1001 * ns, '1.001µs'],
    [2.2 * ms, '2.2ms'],
    [3.3 * s, '3.3s'],
    [1 * s, '1s'],
    [90 * s, '1m30s'],
    [4 * m + 5 * s, '4m5s'],
    [4 * m + 5001 * ms, '4m5.001s'],
    [5 * h + 6 * m + 7001 * ms, '5h6m7.001s'],
    [8 * m + 1 * ns, '8m0.000000001s'],
    [1 * h, '1h0m0s'],
    [h + 2 * m + 3.5 * s, '1h2m3.5s'],
    [-1 * ns, '-1ns'],
    [-1.5 * h, '-1h30m0s'],
    [-2 * ms, '-2ms'],
    [49 * h, '49h0m0s'],
  ])('%d ns prints as %s', (value, expected) => {
    expect(new GoDuration(value).String()).toBe(expected);
    expect(String(new GoDuration(value))).toBe(expected);
    expect(JSON.stringify(new GoDuration(value))).toBe(JSON.stringify(expected));
  });
});

describe('parseGoDuration', () => {
  // Cases from Go's time.ParseDuration tests.
  it.each([
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    ['5s', 5 * s],
    ['30s', 30 * s],
    ['1478s', 1478 * s],
    ['-5s', -5 * s],
    ['+5s', 5 * s],
    ['5.0s', 5 * s],
    ['5.6s', 5.6 * s],
    ['5.s', 5 * s],
    ['.5s', 0.5 * s],
    ['1.004s', 1004 * ms],
    ['100.00100s', 100001 * ms],
    ['10ns', 10 * ns],
    ['11us', 11 * us],
    ['12\u00b5s', 12 * us],
    ['12\u03bcs', 12 * us],
    ['13ms', 13 * ms],
    ['15m', 15 * m],
    ['16h', 16 * h],
    ['3h30m', 3.5 * h],
    ['1h30m', 90 * m],
    ['-1.5h', -1.5 * h],
    ['300ms', 300 * ms],
    ['10.5s4m', 4 * m + 10.5 * s],
    ['-2m3.4s', -(2 * m + 3.4 * s)],
    ['1h2m3s4ms5us6ns', h + 2 * m + 3 * s + 4 * ms + 5 * us + 6 * ns],
    ['39h9m14.425s', 39 * h + 9 * m + 14425 * ms],
    ['52763797000ns', 52763797000],
    ['0.3333333333333333333h', 20 * m],
    ['0.100000000000000000000h', 6 * m],
  ])('%s is %d ns', (text, expected) => {
    expect(parseGoDuration(text).Nanoseconds()).toBe(expected);
  });

  it.each(['', '3', '-', 's', '.', '-.', '.s', '+.s', '1d', '1h30', '1 h', 'h1', '3000000h', 'constructor', '1constructor'])(
    'rejects %j and names the text',
    (text) => {
      expect(() => parseGoDuration(text)).toThrow(RangeError);
      expect(() => parseGoDuration(text)).toThrow(JSON.stringify(text));
    },
  );
});

describe('GoDuration methods', () => {
  const d = parseGoDuration('1h15m30.918273645s');

  it('converts to units as Go does', () => {
    expect(d.Hours()).toBeCloseTo(1.2585884093, 9);
    expect(d.Minutes()).toBeCloseTo(75.5153045607, 9);
    expect(d.Seconds()).toBeCloseTo(4530.918273645, 9);
    expect(d.Milliseconds()).toBe(4530918);
    expect(d.Microseconds()).toBe(4530918273);
    expect(d.Nanoseconds()).toBe(4530918273645);
    expect(new GoDuration(-1500 * us).Milliseconds()).toBe(-1);
  });

  it.each([
    ['1h15m30.918273645s', '1ns', '1h15m30.918273645s', '1h15m30.918273645s'],
    ['1h15m30.918273645s', '1ms', '1h15m30.918s', '1h15m30.918s'],
    ['1h15m30.918273645s', '1s', '1h15m31s', '1h15m30s'],
    ['1h15m30.918273645s', '1m', '1h16m0s', '1h15m0s'],
    ['1h15m30.918273645s', '1h', '1h0m0s', '1h0m0s'],
    ['1h15m30.918273645s', '0s', '1h15m30.918273645s', '1h15m30.918273645s'],
    ['-1m30s', '1m', '-2m0s', '-1m0s'],
    ['90s', '1m', '2m0s', '1m0s'],
  ])('%s rounded to %s is %s, truncated %s', (value, unit, rounded, truncated) => {
    expect(parseGoDuration(value).Round(parseGoDuration(unit)).String()).toBe(rounded);
    expect(parseGoDuration(value).Truncate(parseGoDuration(unit)).String()).toBe(truncated);
  });

  it('compares and multiplies through valueOf, and takes absolute values', () => {
    const five = parseGoDuration('5m');
    expect(+parseGoDuration('6m') > +five).toBe(true);
    expect(five.valueOf() * 2).toBe(10 * m);
    expect(new GoDuration(-5).Abs().Nanoseconds()).toBe(5);
    expect(new GoDuration(-0).String()).toBe('0s');
  });

  it('rejects non-durations and non-finite values', () => {
    expect(() => d.Round(5 as never)).toThrow(TypeError);
    expect(() => new GoDuration(Number.NaN)).toThrow(RangeError);
    expect(Object.isFrozen(d)).toBe(true);
  });
});
