import { describe, expect, it } from 'vitest';
import { GoDuration } from './go-duration.ts';
import { GoTime } from './go-time.ts';
import { createHostFunctions, isHostNamespace } from './host-functions.ts';

const clock = { now: () => new Date(Date.UTC(2024, 0, 1, 0, 10)) };
const { time, strings } = createHostFunctions(clock);

describe('createHostFunctions', () => {
  it('returns frozen, null-prototype objects recognised as host namespaces', () => {
    const host = createHostFunctions(clock);
    for (const object of [host, host.time, host.strings]) {
      expect(Object.isFrozen(object)).toBe(true);
      expect(Object.getPrototypeOf(object)).toBeNull();
    }
    expect(isHostNamespace(host.time)).toBe(true);
    expect(isHostNamespace(host.strings)).toBe(true);
    expect(isHostNamespace(host)).toBe(false);
    expect(isHostNamespace({ Now: () => 0 })).toBe(false);
  });

  it('reads the injected clock', () => {
    expect(time.Now()).toBeInstanceOf(GoTime);
    expect(time.Now().UnixMilli()).toBe(Date.UTC(2024, 0, 1, 0, 10));
    expect(time.Since(time.Parse('2024-01-01T00:00:00Z')).String()).toBe('10m0s');
  });

  it('parses and formats RFC 3339 as Argo does, and nothing else', () => {
    expect(time.Format(time.Parse('2024-01-01T02:00:00+02:00'))).toBe('2024-01-01T02:00:00+02:00');
    expect(() => time.Parse('01/02/2024')).toThrow('cannot parse "01/02/2024" as RFC 3339');
    expect(() => time.Parse(undefined as never)).toThrow('time.Parse: argument 1 must be a string, got nil');
    expect(() => time.Format('2024-01-01T00:00:00Z' as never)).toThrow(TypeError);
  });

  it("gives Go's layout constants, as Argo CD's time does", () => {
    expect(time.Parse('2024-03-01T10:00:00Z').Format(time.RFC1123)).toBe('Fri, 01 Mar 2024 10:00:00 UTC');
    expect(time.Parse('2024-03-01T15:04:00Z').Format(time.Kitchen)).toBe('3:04PM');
    expect(time.RFC3339).toBe('2006-01-02T15:04:05Z07:00');
  });

  it('gives duration constants and constructors', () => {
    expect(time.Minute.Nanoseconds()).toBe(60e9);
    expect(new GoDuration(time.Minute.valueOf() * 5).String()).toBe('5m0s');
    expect([time.Nanosecond, time.Microsecond, time.Millisecond, time.Second, time.Hour].map(String)).toEqual(['1ns', '1µs', '1ms', '1s', '1h0m0s']);
    expect(time.Duration('1h30m').Minutes()).toBe(90);
    expect(time.Duration(1500).String()).toBe('1.5µs');
    expect(time.ParseDuration('2s').Seconds()).toBe(2);
    expect(() => time.ParseDuration('2 s')).toThrow('invalid duration "2 s"');
  });

  it.each([
    ['ReplaceAll', ['a-b-c', '-', '+'], 'a+b+c'],
    ['ReplaceAll', ['abc', 'b', '$&$1'], 'a$&$1c'],
    ['ToUpper', ['héllo'], 'HÉLLO'],
    ['ToLower', ['HeLLo'], 'hello'],
    ['Contains', ['seafood', 'foo'], true],
    ['Contains', ['seafood', 'bar'], false],
    ['HasPrefix', ['prod-api', 'prod-'], true],
    ['HasSuffix', ['prod-api', '-web'], false],
    ['TrimSpace', ['  \t hi \n'], 'hi'],
    ['Split', ['a,b,c', ','], ['a', 'b', 'c']],
    ['Split', ['a😀b', ''], ['a', '😀', 'b']],
    ['Join', [['a', 'b'], ', '], 'a, b'],
  ])('strings.%s(%j) is %j', (fn, args, expected) => {
    const call = strings[fn as keyof typeof strings] as (...a: unknown[]) => unknown;
    expect(call(...args)).toEqual(expected);
  });

  it('rejects non-string arguments with a message naming the function', () => {
    expect(() => strings.ToUpper(null as never)).toThrow('strings.ToUpper: argument 1 must be a string, got nil');
    expect(() => strings.ReplaceAll('a', 'b', 3 as never)).toThrow('argument 3 must be a string, got int');
    expect(() => strings.Join([1] as never, ',')).toThrow(TypeError);
    expect(() => strings.Join('ab' as never, ',')).toThrow(TypeError);
  });
});
