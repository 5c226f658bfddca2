import { GoDuration } from './go-duration.ts';
import { formatZoned } from './go-layout.ts';

/** Go's zero `time.Time` (January 1, year 1, 00:00:00 UTC), which `IsZero` reports. */
const ZERO_MS = -62_135_596_800_000;
const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

export interface GoLocation {
  /** Seconds east of UTC. */
  readonly offsetSeconds: number;
  /** Zone abbreviation (`UTC`), or `''` for a bare offset, which Go then prints as `+0200`. */
  readonly zone: string;
}

const UTC: GoLocation = Object.freeze({ offsetSeconds: 0, zone: 'UTC' });

/**
 * Go's `time.Time`, at millisecond precision (sub-millisecond digits of parsed text are dropped), shown at a
 * fixed offset: UTC unless it was parsed from text with another offset.
 */
export class GoTime {
  readonly #ms: number;
  readonly #location: GoLocation;

  constructor(epochMs: number, location: GoLocation = UTC) {
    if (!Number.isFinite(epochMs)) throw new RangeError('invalid time');
    this.#ms = Math.floor(epochMs);
    this.#location = location.offsetSeconds === 0 && location.zone === 'UTC' ? UTC : Object.freeze({ ...location });
    Object.freeze(this);
  }

  static fromDate(date: Date): GoTime {
    return new GoTime(date.getTime());
  }

  Sub(other: GoTime): GoDuration {
    return new GoDuration((this.#ms - timeArg(other, 'Sub')) * 1e6);
  }

  Add(duration: GoDuration): GoTime {
    if (!(duration instanceof GoDuration)) throw new TypeError('Time.Add expects a duration');
    return new GoTime(this.#ms + Math.trunc(duration.Nanoseconds() / 1e6), this.#location);
  }

  Before(other: GoTime): boolean {
    return this.#ms < timeArg(other, 'Before');
  }

  After(other: GoTime): boolean {
    return this.#ms > timeArg(other, 'After');
  }

  Equal(other: GoTime): boolean {
    return this.#ms === timeArg(other, 'Equal');
  }

  IsZero(): boolean {
    return this.#ms === ZERO_MS;
  }

  Unix(): number {
    return Math.floor(this.#ms / 1000);
  }

  UnixMilli(): number {
    return this.#ms;
  }

  UTC(): GoTime {
    return this.#location === UTC ? this : new GoTime(this.#ms);
  }

  Year(): number {
    return this.#wall().getUTCFullYear();
  }

  /** 1–12 (Go's `time.Month`, which compares as a number). */
  Month(): number {
    return this.#wall().getUTCMonth() + 1;
  }

  Day(): number {
    return this.#wall().getUTCDate();
  }

  Hour(): number {
    return this.#wall().getUTCHours();
  }

  Minute(): number {
    return this.#wall().getUTCMinutes();
  }

  Second(): number {
    return this.#wall().getUTCSeconds();
  }

  /** 0 = Sunday, as Go's `time.Weekday`. */
  Weekday(): number {
    return this.#wall().getUTCDay();
  }

  /** Go reference-time layout, e.g. `2006-01-02T15:04:05Z07:00`; see `formatGoLayout`. */
  Format(layout: string): string {
    if (typeof layout !== 'string') throw new TypeError('Time.Format expects a layout string');
    return formatZoned(this.#ms, this.#location.offsetSeconds, this.#location.zone, layout);
  }

  /** Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`. */
  String(): string {
    return this.Format('2006-01-02 15:04:05.999999999 -0700 MST');
  }

  /** The offset and zone name the time is shown in (not callable from expressions). */
  location(): GoLocation {
    return this.#location;
  }

  toDate(): Date {
    return new Date(this.#ms);
  }

  valueOf(): number {
    return this.#ms;
  }

  toString(): string {
    return this.String();
  }

  /** RFC 3339 with trimmed fractional seconds, as Go's JSON encoding of a time. */
  toJSON(): string {
    return this.Format(RFC3339_NANO);
  }

  #wall(): Date {
    return new Date(this.#ms + this.#location.offsetSeconds * 1000);
  }
}

function timeArg(value: unknown, method: string): number {
  if (!(value instanceof GoTime)) throw new TypeError(`Time.${method} expects a time`);
  return value.UnixMilli();
}

/** Formats as RFC 3339 (`2006-01-02T15:04:05Z07:00`), Go's `time.RFC3339` layout. */
export function formatRfc3339(time: GoTime): string {
  return time.Format(RFC3339);
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Go's `time.Parse(time.RFC3339, text)`: `2006-01-02T15:04:05Z07:00`, fractional seconds allowed.
 * Throws a RangeError naming the text otherwise.
 */
export function parseRfc3339(text: string): GoTime {
  const time = parseDateText(text, true);
  if (time === undefined) throw new RangeError(`cannot parse ${JSON.stringify(text)} as RFC 3339`);
  return time;
}

/**
 * Also accepts `2006-01-02` and `2006-01-02 15:04:05` (UTC), the other forms of expr-lang's `date()`;
 * `undefined` when the text is none of them.
 */
export function parseDateText(text: string, rfc3339Only = false): GoTime | undefined {
  if (typeof text !== 'string') throw new TypeError(`expected a time string, got ${text === null ? 'nil' : typeof text}`);
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, sep, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  if (rfc3339Only && (sep !== 'T' || zone === undefined || text.includes(','))) return undefined;
  // `date()` takes `2006-01-02 15:04:05` without a zone and RFC 3339 with one, not a mix.
  if (!rfc3339Only && (sep === 'T') !== (zone !== undefined)) return undefined;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (month < 1 || month > 12 || day < 1 || day > lastDay || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetSeconds = 0;
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offsetSeconds = (zone.startsWith('-') ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  const wall = new Date(0).setUTCFullYear(year, month - 1, day) + ((hour * 60 + minute) * 60 + second) * 1000;
  const ms = wall + Number(fraction.padEnd(3, '0').slice(0, 3)) - offsetSeconds * 1000;
  return new GoTime(ms, offsetSeconds === 0 ? UTC : { offsetSeconds, zone: '' });
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
