import { describe, expect, it } from 'vitest';
import { formatGoLayout } from './go-layout.ts';
import { parseRfc3339 } from './go-time.ts';

// Go's playground instant, with milliseconds; and the same instant seen from +02:00.
const utc = parseRfc3339('2009-11-10T23:04:05.123Z');
const plusTwo = parseRfc3339('2009-11-11T01:04:05.123+02:00');
const morning = parseRfc3339('2024-03-05T07:08:09Z');

describe('formatGoLayout', () => {
  // Expected strings are what Go's time.Time.Format prints for the same instant and layout.
  it.each([
    ['2006-01-02T15:04:05Z07:00', utc, '2009-11-10T23:04:05Z'],
    ['2006-01-02T15:04:05Z07:00', plusTwo, '2009-11-11T01:04:05+02:00'],
    ['2006-01-02T15:04:05.999999999Z07:00', utc, '2009-11-10T23:04:05.123Z'],
    ['2006-01-02T15:04:05.999999999Z07:00', morning, '2024-03-05T07:08:09Z'],
    ['2006-01-02', utc, '2009-11-10'],
    ['Jan _2 15:04:05', utc, 'Nov 10 23:04:05'],
    ['Jan _2 15:04:05', morning, 'Mar  5 07:08:09'],
    ['Jan _2 15:04:05.000', morning, 'Mar  5 07:08:09.000'],
    ['3:04PM', utc, '11:04PM'],
    ['3:04PM', morning, '7:08AM'],
    ['03:04:05 pm', morning, '07:08:09 am'],
    ['Mon, 02 Jan 2006 15:04:05 MST', utc, 'Tue, 10 Nov 2009 23:04:05 UTC'],
    ['Mon, 02 Jan 2006 15:04:05 MST', plusTwo, 'Wed, 11 Nov 2009 01:04:05 +0200'],
    ['Mon, 02 Jan 2006 15:04:05 -0700', plusTwo, 'Wed, 11 Nov 2009 01:04:05 +0200'],
    ['Jan 2, 2006 at 3:04pm (MST)', utc, 'Nov 10, 2009 at 11:04pm (UTC)'],
    ['Monday, January 2', utc, 'Tuesday, November 10'],
    ['02 Jan 06 15:04 -0700', utc, '10 Nov 09 23:04 +0000'],
    ['2006-01-02 15:04:05.000', utc, '2009-11-10 23:04:05.123'],
    ['15:04:05.000000', utc, '23:04:05.123000'],
    ['15:04:05.9', utc, '23:04:05.1'],
    ['15:04:05,000', utc, '23:04:05,123'],
    ['15:04:05.999', morning, '07:08:09'],
    ['2006 002 __2', utc, '2009 314 314'],
    ['2006 002', morning, '2024 065'],
    ['1/2/06 3:4:5', morning, '3/5/24 7:8:9'],
    ['Z07:00 Z0700 Z07 -07:00 -0700 -07', utc, 'Z Z Z +00:00 +0000 +00'],
    ['Z07:00 Z0700 Z07 -07:00:00 -070000', plusTwo, '+02:00 +0200 +02 +02:00:00 +020000'],
    ['Janet Monty Month', utc, 'Janet Monty Month'],
    ['_2006', utc, '_2009'],
    ['plain text, no elements', utc, 'plain text, no elements'],
  ])('%s', (layout, time, expected) => {
    expect(formatGoLayout(time, layout)).toBe(expected);
  });

  it('formats a Date in UTC when asked, and a GoTime in UTC with utc: true', () => {
    const date = new Date('2009-11-10T23:04:05.123Z');
    expect(formatGoLayout(date, '2006-01-02T15:04:05.000Z07:00 MST', { utc: true })).toBe('2009-11-10T23:04:05.123Z UTC');
    expect(formatGoLayout(plusTwo, '2006-01-02T15:04:05Z07:00', { utc: true })).toBe('2009-11-10T23:04:05Z');
  });

  it('formats a Date in the local zone by default', () => {
    const date = new Date(2009, 10, 10, 23, 4, 5);
    expect(formatGoLayout(date, '2006-01-02 15:04:05')).toBe('2009-11-10 23:04:05');
  });

  it('rejects what it cannot format', () => {
    expect(() => formatGoLayout(new Date(Number.NaN), '2006')).toThrow(RangeError);
    expect(() => formatGoLayout({} as never, '2006')).toThrow(TypeError);
  });
});
