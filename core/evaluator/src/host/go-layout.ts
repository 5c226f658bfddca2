import type { GoTime } from './go-time.ts';

/**
 * Go reference-time layouts (`Mon Jan 2 15:04:05 MST 2006`), as `time.Time.Format` reads them. Supported
 * elements: `January Jan 1 01`, `Monday Mon`, `2 _2 02`, `__2 002` (day of year), `15 3 03`, `4 04`, `5 05`,
 * `2006 06`, `PM pm`, `MST`, `Z07:00 Z0700 Z07 Z070000 Z07:00:00`, `-07:00 -0700 -07 -070000 -07:00:00`,
 * fractional seconds `.0…` (fixed width) and `.9…` (trailing zeros dropped), also with `,`. Anything else is
 * copied as is. Precision is milliseconds: digits past the third are zeros.
 */
export interface FormatGoLayoutOptions {
  /** Format in UTC instead of the time's own zone (a `Date`'s zone is the process's local zone). */
  readonly utc?: boolean;
}

export function formatGoLayout(date: Date | GoTime, layout: string, options: FormatGoLayoutOptions = {}): string {
  if (typeof layout !== 'string') throw new TypeError('layout must be a string');
  let ms: number;
  let offsetSeconds = 0;
  let zone = 'UTC';
  if (date instanceof Date) {
    ms = date.getTime();
    if (Number.isNaN(ms)) throw new RangeError('cannot format an invalid Date');
    if (options.utc !== true) {
      offsetSeconds = -date.getTimezoneOffset() * 60;
      zone = localZoneName(date);
    }
  } else {
    if (typeof date?.UnixMilli !== 'function') throw new TypeError('formatGoLayout expects a Date or a GoTime');
    ms = date.UnixMilli();
    if (options.utc !== true) ({ offsetSeconds, zone } = date.location());
  }
  return formatZoned(ms, offsetSeconds, zone, layout);
}

/** Formats an instant shown at a fixed offset (seconds east of UTC) named `zone` (`''` for none). */
export function formatZoned(ms: number, offsetSeconds: number, zone: string, layout: string): string {
  const wall = new Date(ms + offsetSeconds * 1000);
  const fields: Fields = {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth(),
    day: wall.getUTCDate(),
    weekday: wall.getUTCDay(),
    yearDay: Math.floor((wall.getTime() - new Date(0).setUTCFullYear(wall.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    nanos: `${String(wall.getUTCMilliseconds()).padStart(3, '0')}000000`,
    offsetSeconds,
    zone,
  };
  let out = '';
  for (const chunk of chunksOf(layout)) out += typeof chunk === 'string' ? chunk : formatChunk(chunk, fields);
  return out;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  weekday: number;
  yearDay: number;
  hour: number;
  minute: number;
  second: number;
  /** Nine digits of fraction of a second. */
  nanos: string;
  offsetSeconds: number;
  zone: string;
}

export interface Std {
  readonly code: string;
  /** Fractional seconds: separator and digit count. */
  readonly sep?: string;
  readonly digits?: number;
}
export type Chunk = string | Std;

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ZONE_CODES = ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'];
const NUM_ZONE_CODES = ['-070000', '-07:00:00', '-0700', '-07:00', '-07'];

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function formatChunk(std: Std, f: Fields): string {
  switch (std.code) {
    case 'January': return MONTHS[f.month] ?? '';
    case 'Jan': return (MONTHS[f.month] ?? '').slice(0, 3);
    case '1': return String(f.month + 1);
    case '01': return pad(f.month + 1, 2);
    case 'Monday': return DAYS[f.weekday] ?? '';
    case 'Mon': return (DAYS[f.weekday] ?? '').slice(0, 3);
    case '2': return String(f.day);
    case '_2': return String(f.day).padStart(2, ' ');
    case '02': return pad(f.day, 2);
    case '__2': return String(f.yearDay).padStart(3, ' ');
    case '002': return pad(f.yearDay, 3);
    case '15': return pad(f.hour, 2);
    case '3': return String(f.hour % 12 || 12);
    case '03': return pad(f.hour % 12 || 12, 2);
    case '4': return String(f.minute);
    case '04': return pad(f.minute, 2);
    case '5': return String(f.second);
    case '05': return pad(f.second, 2);
    case '2006': return pad(f.year, 4);
    case '06': return pad(f.year % 100, 2);
    case 'PM': return f.hour >= 12 ? 'PM' : 'AM';
    case 'pm': return f.hour >= 12 ? 'pm' : 'am';
    case 'MST': return f.zone !== '' ? f.zone : formatOffset('-0700', f.offsetSeconds);
    case 'frac0': return `${std.sep ?? '.'}${f.nanos.slice(0, std.digits)}`;
    case 'frac9': {
      const digits = f.nanos.slice(0, std.digits).replace(/0+$/, '');
      return digits === '' ? '' : `${std.sep ?? '.'}${digits}`;
    }
    default:
      if (std.code.startsWith('Z') && f.offsetSeconds === 0) return 'Z';
      return formatOffset(std.code, f.offsetSeconds);
  }
}

/** `-0700`-style codes (and the `Z…` ones when not UTC): sign, hours, then minutes/seconds as the code asks. */
function formatOffset(code: string, offsetSeconds: number): string {
  const abs = Math.abs(offsetSeconds);
  const colon = code.includes(':') ? ':' : '';
  const body = code.replace(/^[-Z]/, '');
  let out = `${offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600), 2)}`;
  if (body.length > 2) out += colon + pad(Math.floor(abs / 60) % 60, 2);
  if (body.replace(/:/g, '').length > 4) out += colon + pad(abs % 60, 2);
  return out;
}

const chunkCache = new Map<string, readonly Chunk[]>();
const CHUNK_CACHE_LIMIT = 256;

/** A layout split into literal text and Go's elements (cached). */
export function chunksOf(layout: string): readonly Chunk[] {
  const cached = chunkCache.get(layout);
  if (cached !== undefined) return cached;
  const chunks = splitLayout(layout);
  if (chunkCache.size >= CHUNK_CACHE_LIMIT) chunkCache.clear();
  chunkCache.set(layout, chunks);
  return chunks;
}

const isLower = (ch: string | undefined): boolean => ch !== undefined && ch >= 'a' && ch <= 'z';
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** Splits a layout the way Go's `nextStdChunk` does, so ambiguous text resolves identically. */
function splitLayout(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let literal = '';
  let i = 0;
  const at = (code: string): boolean => layout.startsWith(code, i);
  while (i < layout.length) {
    const std = stdAt(layout, i, at);
    if (std === undefined) {
      literal += layout[i];
      i += 1;
      continue;
    }
    literal += std.prefix;
    if (literal !== '') chunks.push(literal);
    literal = '';
    chunks.push(std.chunk);
    i += std.length;
  }
  if (literal !== '') chunks.push(literal);
  return chunks;
}

interface Found {
  chunk: Std;
  length: number;
  /** Literal text consumed before the element (Go's `_2006` is `_` then `2006`). */
  prefix: string;
}

function stdAt(layout: string, i: number, at: (code: string) => boolean): Found | undefined {
  const found = (code: string, length = code.length, prefix = ''): Found => ({ chunk: { code }, length, prefix });
  const next = layout[i + 1];
  switch (layout[i]) {
    case 'J':
      if (at('January')) return found('January');
      if (at('Jan') && !isLower(layout[i + 3])) return found('Jan');
      return undefined;
    case 'M':
      if (at('Monday')) return found('Monday');
      if (at('Mon') && !isLower(layout[i + 3])) return found('Mon');
      if (at('MST')) return found('MST');
      return undefined;
    case '0':
      if (next !== undefined && next >= '1' && next <= '6') return found(`0${next}`);
      if (at('002')) return found('002');
      return undefined;
    case '1':
      return at('15') ? found('15') : found('1');
    case '2':
      return at('2006') ? found('2006') : found('2');
    case '_':
      if (at('_2006')) return found('2006', 5, '_');
      if (at('_2')) return found('_2');
      if (at('__2')) return found('__2');
      return undefined;
    case '3':
    case '4':
    case '5':
      return found(layout[i] ?? '');
    case 'P':
      return at('PM') ? found('PM') : undefined;
    case 'p':
      return at('pm') ? found('pm') : undefined;
    case '-': {
      const code = NUM_ZONE_CODES.find(at);
      return code === undefined ? undefined : found(code);
    }
    case 'Z': {
      const code = ZONE_CODES.find(at);
      return code === undefined ? undefined : found(code);
    }
    case '.':
    case ',': {
      if (next !== '0' && next !== '9') return undefined;
      let end = i + 1;
      while (layout[end] === next) end += 1;
      if (isDigit(layout[end])) return undefined;
      const digits = Math.min(end - i - 1, 9);
      return { chunk: { code: next === '0' ? 'frac0' : 'frac9', sep: layout[i] ?? '.', digits }, length: end - i, prefix: '' };
    }
    default:
      return undefined;
  }
}

let zoneFormatter: Intl.DateTimeFormat | undefined;

function localZoneName(date: Date): string {
  zoneFormatter ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const part = zoneFormatter.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // Intl spells offsets "GMT+2"; Go prints no name then, only the offset.
  return part.startsWith('GMT') && part !== 'GMT' ? '' : part;
}
