import { describe, expect, it } from 'vitest';
import { GoDuration, parseGoDuration } from './go-duration.ts';
import { GoTime, parseDateText, parseRfc3339 } from './go-time.ts';

describe('parseRfc3339', () => {
  it.each([
    ['2024-01-02T03:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5), '2024-01-02 03:04:05 +0000 UTC'],
    ['2024-01-02T03:04:05.5Z', Date.UTC(2024, 0, 2, 3, 4, 5, 500), '2024-01-02 03:04:05.5 +0000 UTC'],
    ['2024-01-02T03:04:05.123456789Z', Date.UTC(2024, 0, 2, 3, 4, 5, 123), '2024-01-02 03:04:05.123 +0000 UTC'],
    ['2024-01-02T05:04:05+02:00', Date.UTC(2024, 0, 2, 3, 4, 5), '2024-01-02 05:04:05 +0200 +0200'],
    ['2024-01-01T22:34:05-04:30', Date.UTC(2024, 0, 2, 3, 4, 5), '2024-01-01 22:34:05 -0430 -0430'],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), '2024-02-29 00:00:00 +0000 UTC'],
  ])('%s', (text, epochMs, goString) => {
    const time = parseRfc3339(text);
    expect(time.UnixMilli()).toBe(epochMs);
    expect(time.String()).toBe(goString);
  });

  it.each(['', '2024-01-02', '2024-01-02 03:04:05Z', '2024-01-02T03:04:05', '2024-13-02T03:04:05Z', '2023-02-29T00:00:00Z',
    '2024-01-02T24:00:00Z', '2024-01-02T03:60:00Z', '2024-01-02T03:04:60Z', '2024-01-02T03:04:05+24:00', 'yesterday', '2024-01-02t03:04:05z'])(
    'rejects %j, naming it',
    (text) => {
      expect(() => parseRfc3339(text)).toThrow(RangeError);
      expect(() => parseRfc3339(text)).toThrow(JSON.stringify(text));
    },
  );

  it('accepts the extra date() forms only through parseDateText', () => {
    expect(parseDateText('2024-01-02')?.UnixMilli()).toBe(Date.UTC(2024, 0, 2));
    expect(parseDateText('2024-01-02 03:04:05')?.UnixMilli()).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseDateText('2024-01-02T03:04:05')).toBeUndefined();
    expect(() => parseDateText(5 as never)).toThrow(TypeError);
  });
});

describe('GoTime', () => {
  const start = parseRfc3339('2024-01-01T00:00:00Z');
  const later = parseRfc3339('2024-01-01T01:30:00.250Z');

  it('subtracts, adds and compares', () => {
    expect(later.Sub(start).String()).toBe('1h30m0.25s');
    expect(start.Sub(later).Minutes()).toBe(-90.00416666666666);
    expect(start.Add(parseGoDuration('1h30m250ms')).Equal(later)).toBe(true);
    expect(start.Add(new GoDuration(-1e9)).String()).toBe('2023-12-31 23:59:59 +0000 UTC');
    expect(start.Before(later)).toBe(true);
    expect(start.After(later)).toBe(false);
    expect(later.After(start)).toBe(true);
    expect(start.Equal(parseRfc3339('2024-01-01T02:00:00+02:00'))).toBe(true);
    expect(+start < +later).toBe(true);
  });

  it('reports its Unix time, fields and zero-ness as Go does', () => {
    expect(later.Unix()).toBe(1704072600);
    expect(later.UnixMilli()).toBe(1704072600250);
    expect(new GoTime(-500).Unix()).toBe(-1);
    expect(parseRfc3339('0001-01-01T00:00:00Z').IsZero()).toBe(true);
    expect(start.IsZero()).toBe(false);
    const zoned = parseRfc3339('2024-03-05T23:30:00-05:00');
    expect([zoned.Year(), zoned.Month(), zoned.Day(), zoned.Hour(), zoned.Minute(), zoned.Second(), zoned.Weekday()]).toEqual([2024, 3, 5, 23, 30, 0, 2]);
    expect(zoned.UTC().Format('2006-01-02T15:04:05Z07:00')).toBe('2024-03-06T04:30:00Z');
  });

  it('serialises as RFC 3339 and prints as Go', () => {
    expect(JSON.stringify({ at: later })).toBe('{"at":"2024-01-01T01:30:00.25Z"}');
    expect(`${later}`).toBe('2024-01-01 01:30:00.25 +0000 UTC');
    expect(later.valueOf()).toBe(1704072600250);
    expect(GoTime.fromDate(new Date(1000)).UnixMilli()).toBe(1000);
    expect(later.toDate().toISOString()).toBe('2024-01-01T01:30:00.250Z');
  });

  it('rejects arguments that are not times or durations', () => {
    expect(() => start.Sub('2024-01-01' as never)).toThrow(TypeError);
    expect(() => start.Add(5 as never)).toThrow(TypeError);
    expect(() => start.Before(null as never)).toThrow(TypeError);
    expect(() => new GoTime(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(Object.isFrozen(start)).toBe(true);
  });
});
