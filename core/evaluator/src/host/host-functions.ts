import { systemClock, type Clock } from '@herald/plugin-sdk';
import { GoDuration, parseGoDuration } from './go-duration.ts';
import { GoTime, formatRfc3339, parseRfc3339 } from './go-time.ts';
import { replaceAll } from './replace-all.ts';
import { typeName } from './type-name.ts';

/** Where `time.Now()` reads the time: the SDK's Clock (tests inject a fixed one); only `now` is read. */
export type HostClock = Pick<Clock, 'now'>;

/**
 * The `time` object of expressions and templates. Argo's hosts give `Now` and `Parse`; the rest are
 * Herald extensions.
 */
export interface HostTime {
  Now(): GoTime;
  /** RFC 3339 only, as Argo's `time.Parse`; other text is an error. */
  Parse(text: string): GoTime;
  /** RFC 3339. */
  Format(time: GoTime): string;
  /** `Now().Sub(time)`. */
  Since(time: GoTime): GoDuration;
  /** A duration from Go syntax (`"5m"`) or from nanoseconds. */
  Duration(value: string | number): GoDuration;
  ParseDuration(text: string): GoDuration;
  readonly Nanosecond: GoDuration;
  readonly Microsecond: GoDuration;
  readonly Millisecond: GoDuration;
  readonly Second: GoDuration;
  readonly Minute: GoDuration;
  readonly Hour: GoDuration;
  /** Go's layout constants (`time.RFC1123`…), which Argo CD's `time` gives. */
  readonly Layout: string;
  readonly ANSIC: string;
  readonly UnixDate: string;
  readonly RubyDate: string;
  readonly RFC822: string;
  readonly RFC822Z: string;
  readonly RFC850: string;
  readonly RFC1123: string;
  readonly RFC1123Z: string;
  readonly RFC3339: string;
  readonly RFC3339Nano: string;
  readonly Kitchen: string;
  readonly Stamp: string;
  readonly StampMilli: string;
  readonly StampMicro: string;
  readonly StampNano: string;
}

/** The `strings` object. Argo's hosts give `ReplaceAll`, `ToUpper`, `ToLower`; the rest are Herald extensions. */
export interface HostStrings {
  ReplaceAll(s: string, old: string, replacement: string): string;
  ToUpper(s: string): string;
  ToLower(s: string): string;
  Contains(s: string, substring: string): boolean;
  HasPrefix(s: string, prefix: string): boolean;
  HasSuffix(s: string, suffix: string): boolean;
  TrimSpace(s: string): string;
  Split(s: string, separator: string): string[];
  Join(elements: readonly string[], separator: string): string;
}

export interface HostFunctions {
  readonly time: HostTime;
  readonly strings: HostStrings;
}

const namespaces = new WeakSet<object>();

/** Whether `value` is a `time` or `strings` object made by `createHostFunctions` (its functions may be called). */
export function isHostNamespace(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && namespaces.has(value);
}

/** A frozen, null-prototype object whose functions expressions may call and templates may `call`. */
export function hostNamespace<T extends object>(members: T): T {
  const target = Object.assign(Object.create(null) as object, members) as T;
  namespaces.add(target);
  return Object.freeze(target);
}

function str(fn: string, value: unknown, position = 1): string {
  if (typeof value !== 'string') throw new TypeError(`${fn}: argument ${position} must be a string, got ${typeName(value)}`);
  return value;
}

function time(fn: string, value: unknown): GoTime {
  if (!(value instanceof GoTime)) throw new TypeError(`${fn}: argument must be a time, got ${typeName(value)}`);
  return value;
}

const NANOSECOND = new GoDuration(1);
const MICROSECOND = new GoDuration(1e3);
const MILLISECOND = new GoDuration(1e6);
const SECOND = new GoDuration(1e9);
const MINUTE = new GoDuration(6e10);
const HOUR = new GoDuration(3.6e12);

const hostStrings: HostStrings = hostNamespace({
  ReplaceAll: (s: string, old: string, replacement: string) => {
    const text = str('strings.ReplaceAll', s);
    const target = str('strings.ReplaceAll', old, 2);
    const value = str('strings.ReplaceAll', replacement, 3);
    return replaceAll(text, target, value);
  },
  ToUpper: (s: string) => str('strings.ToUpper', s).toUpperCase(),
  ToLower: (s: string) => str('strings.ToLower', s).toLowerCase(),
  Contains: (s: string, substring: string) => str('strings.Contains', s).includes(str('strings.Contains', substring, 2)),
  HasPrefix: (s: string, prefix: string) => str('strings.HasPrefix', s).startsWith(str('strings.HasPrefix', prefix, 2)),
  HasSuffix: (s: string, suffix: string) => str('strings.HasSuffix', s).endsWith(str('strings.HasSuffix', suffix, 2)),
  TrimSpace: (s: string) => str('strings.TrimSpace', s).trim(),
  Split: (s: string, separator: string) => {
    const text = str('strings.Split', s);
    // Go splits on every UTF-8 sequence for an empty separator: code points, not UTF-16 units.
    return str('strings.Split', separator, 2) === '' ? Array.from(text) : text.split(separator);
  },
  Join: (elements: readonly string[], separator: string) => {
    if (!Array.isArray(elements)) throw new TypeError(`strings.Join: argument 1 must be an array, got ${typeName(elements)}`);
    return elements.map((e, i) => str(`strings.Join: element ${i}`, e)).join(str('strings.Join', separator, 2));
  },
});

/**
 * The `time` and `strings` objects given to expressions and templates: frozen, null-prototype, so nothing
 * reaches `Object.prototype` through them. One `time` per clock; `strings` is shared.
 */
/** Go's time package layout constants. */
const GO_LAYOUTS = {
  Layout: '01/02 03:04:05PM \'06 -0700',
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
} as const;

export function createHostFunctions(clock: HostClock = systemClock): HostFunctions {
  const now = (): GoTime => new GoTime(clock.now().getTime());
  const hostTime: HostTime = hostNamespace({
    Now: now,
    Parse: (text: string) => parseRfc3339(str('time.Parse', text)),
    Format: (t: GoTime) => formatRfc3339(time('time.Format', t)),
    Since: (t: GoTime) => now().Sub(time('time.Since', t)),
    Duration: (value: string | number) => {
      if (typeof value === 'number') return new GoDuration(value);
      return parseGoDuration(str('time.Duration', value));
    },
    ParseDuration: (text: string) => parseGoDuration(str('time.ParseDuration', text)),
    Nanosecond: NANOSECOND,
    Microsecond: MICROSECOND,
    Millisecond: MILLISECOND,
    Second: SECOND,
    Minute: MINUTE,
    Hour: HOUR,
    ...GO_LAYOUTS,
  });
  const functions = Object.assign(Object.create(null) as object, { time: hostTime, strings: hostStrings });
  return Object.freeze(functions) as HostFunctions;
}
