import { GoDuration, parseGoDuration } from '../host/go-duration.ts';
import { GoTime, parseDateText } from '../host/go-time.ts';
import { replaceAll } from '../host/replace-all.ts';
import { typeName } from '../host/type-name.ts';
import { ARRAY_BUILTINS } from './array-builtins.ts';
import { BITWISE_BUILTINS } from './bitwise-builtins.ts';
import { formatGoValue } from './go-value-format.ts';
import { runtimeError } from './runtime-error.ts';
import { getOrNil, isBlockedName, isNil, isPlainMap } from './value-access.ts';

/** An expr-lang builtin taking plain values (the ones taking a predicate are in predicate-builtins.ts). */
export interface Builtin {
  readonly min: number;
  readonly max: number;
  readonly fn: (...args: unknown[]) => unknown;
}

function text(fn: string, value: unknown, position = 1): string {
  if (typeof value !== 'string') throw runtimeError(`${fn}(): argument ${position} must be a string, got ${typeName(value)}`);
  return value;
}

function num(fn: string, value: unknown): number {
  if (typeof value !== 'number') throw runtimeError(`${fn}(): argument must be a number, got ${typeName(value)}`);
  return value;
}

function int(fn: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw runtimeError(`${fn}(): argument must be an integer, got ${typeName(value)}`);
  return value;
}

function list(fn: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw runtimeError(`${fn}(): argument must be an array, got ${typeName(value)}`);
  return value;
}

function map(fn: string, value: unknown): Readonly<Record<string, unknown>> {
  if (!isPlainMap(value)) throw runtimeError(`${fn}(): argument must be a map, got ${typeName(value)}`);
  return value;
}

// Go visits map keys in random order; sorted is one of its orders and a stable one.
const dataKeys = (m: Readonly<Record<string, unknown>>): string[] => Object.keys(m).filter((k) => !isBlockedName(k)).sort();

function len(value: unknown): number {
  // expr-lang's len of a string counts runes (code points), though its indexes and slices are bytes.
  if (typeof value === 'string') return Array.from(value).length;
  if (Array.isArray(value)) return value.length;
  if (isPlainMap(value)) return dataKeys(value).length;
  throw runtimeError(`invalid argument for len (type ${typeName(value)})`);
}

/** Go's `strings.SplitN`: n > 0 gives at most n parts, the last one the rest; n == 0 none; n < 0 all. */
function split(s: unknown, separator: unknown, n: unknown = -1): string[] {
  const str = text('split', s);
  const sep = text('split', separator, 2);
  const limit = int('split', n);
  if (limit === 0) return [];
  const parts = sep === '' ? Array.from(str) : str.split(sep);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
}

/** Go's `strings.Trim` with a cutset, or white space without one. */
function trim(s: unknown, cutset?: unknown): string {
  const str = text('trim', s);
  if (cutset === undefined) return str.trim();
  const cut = new Set(Array.from(text('trim', cutset, 2)));
  const chars = Array.from(str);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start] ?? '')) start += 1;
  while (end > start && cut.has(chars[end - 1] ?? '')) end -= 1;
  return chars.slice(start, end).join('');
}

const MAX_REPEAT_LENGTH = 1_000_000;

/**
 * expr-lang's min/max: over numbers and arrays of numbers (nested arrays too); no number at all is nil; a
 * single argument that is neither a number nor an array is returned as it is (`max('abc')` is 'abc').
 */
function extreme(fn: 'min' | 'max', args: readonly unknown[], depth = 0): unknown {
  if (depth > 32) throw runtimeError(`${fn}(): value nested too deeply`);
  let best: number | undefined;
  const consider = (value: unknown): void => {
    if (typeof value === 'number' && (best === undefined || (fn === 'max' ? value > best : value < best))) best = value;
  };
  for (const arg of args) {
    if (typeof arg === 'number') consider(arg);
    else if (Array.isArray(arg)) {
      for (const item of arg as unknown[]) {
        if (typeof item === 'number') consider(item);
        else if (Array.isArray(item)) consider(extreme(fn, [item], depth + 1));
        else throw runtimeError(`invalid argument for ${fn} (type ${typeName(item)})`);
      }
    } else if (args.length === 1) return arg;
    else throw runtimeError(`invalid argument for ${fn} (type ${typeName(arg)})`);
  }
  return best;
}

function toInt(value: unknown): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (value instanceof GoDuration) return value.Nanoseconds();
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return Number(value.trim());
  const shown = typeof value === 'string' ? ` ${JSON.stringify(value)}` : '';
  throw runtimeError(`cannot convert ${typeName(value)}${shown} to int`);
}

function toFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value.trim())) return Number(value.trim());
  const shown = typeof value === 'string' ? ` ${JSON.stringify(value)}` : '';
  throw runtimeError(`cannot convert ${typeName(value)}${shown} to float`);
}

/** The JSON-able part of a value, built first so JSON.stringify never meets (and calls) a toJSON from data. */
function jsonable(value: unknown, depth = 0): unknown {
  if (depth > 64) throw runtimeError('toJSON(): value nested too deeply');
  if (isNil(value) || typeof value === 'function') return null;
  if (typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
  // As Go's encoding/json: a duration is its nanoseconds, a time RFC 3339.
  if (value instanceof GoDuration) return value.Nanoseconds();
  if (value instanceof GoTime) return value.toJSON();
  if (Array.isArray(value)) return value.map((v) => jsonable(v, depth + 1));
  if (!isPlainMap(value)) return null;
  return Object.fromEntries(dataKeys(value).sort().map((k) => [k, jsonable(value[k], depth + 1)]));
}

/** Go's json.MarshalIndent: two-space indent, map keys sorted. */
function toJSON(value: unknown): string {
  return JSON.stringify(jsonable(value), null, 2);
}

function fromJSON(value: unknown): unknown {
  try {
    return JSON.parse(text('fromJSON', value)) as unknown;
  } catch (error) {
    throw runtimeError(`fromJSON(): ${(error as Error).message}`, error);
  }
}

function date(value: unknown): unknown {
  const parsed = parseDateText(text('date', value));
  if (parsed === undefined) throw runtimeError(`date(): cannot parse ${JSON.stringify(value)} (expected RFC 3339, 2006-01-02 or 2006-01-02 15:04:05)`);
  return parsed;
}

/** Go's `strings.SplitAfterN`: as split, but each part keeps its separator. */
function splitAfter(s: unknown, separator: unknown, n: unknown = -1): string[] {
  const str = text('splitAfter', s);
  const sep = text('splitAfter', separator, 2);
  const limit = int('splitAfter', n);
  if (limit === 0) return [];
  const pieces = sep === '' ? Array.from(str) : str.split(sep).map((part, i, all) => (i < all.length - 1 ? part + sep : part));
  if (limit < 0 || pieces.length <= limit) return pieces;
  return [...pieces.slice(0, limit - 1), pieces.slice(limit - 1).join('')];
}

/** Go's base64.StdEncoding.DecodeString: padded standard alphabet only, anything else an error. */
function fromBase64(s: unknown): string {
  const str = text('fromBase64', s);
  if (str.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(str)) throw runtimeError(`fromBase64(): illegal base64 data in ${JSON.stringify(str)}`);
  return Buffer.from(str, 'base64').toString('utf8');
}

const b = (min: number, max: number, fn: (...args: never[]) => unknown): Builtin => ({ min, max, fn: fn as (...args: unknown[]) => unknown });

/** By name, with their arity; checked when an expression compiles. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map([
  ['len', b(1, 1, len)],
  ['upper', b(1, 1, (s: unknown) => text('upper', s).toUpperCase())],
  ['lower', b(1, 1, (s: unknown) => text('lower', s).toLowerCase())],
  ['trim', b(1, 2, trim)],
  ['trimPrefix', b(2, 2, (s: unknown, p: unknown) => { const str = text('trimPrefix', s); const pre = text('trimPrefix', p, 2); return str.startsWith(pre) ? str.slice(pre.length) : str; })],
  ['trimSuffix', b(2, 2, (s: unknown, p: unknown) => { const str = text('trimSuffix', s); const suf = text('trimSuffix', p, 2); return suf !== '' && str.endsWith(suf) ? str.slice(0, -suf.length) : str; })],
  ['split', b(2, 3, split)],
  ['splitAfter', b(2, 3, splitAfter)],
  ['join', b(1, 2, (a: unknown, sep: unknown = '') => list('join', a).map((v, i) => text('join', v, i + 1)).join(text('join', sep, 2)))],
  ['replace', b(3, 3, (s: unknown, o: unknown, n: unknown) => {
    const [str, old, value] = [text('replace', s), text('replace', o, 2), text('replace', n, 3)];
    return replaceAll(str, old, value);
  })],
  ['repeat', b(2, 2, (s: unknown, n: unknown) => {
    const str = text('repeat', s);
    const count = int('repeat', n);
    if (count < 0 || str.length * count > MAX_REPEAT_LENGTH) throw runtimeError(`repeat(): count ${count} out of range`);
    return str.repeat(count);
  })],
  ['indexOf', b(2, 2, (s: unknown, sub: unknown) => text('indexOf', s).indexOf(text('indexOf', sub, 2)))],
  ['lastIndexOf', b(2, 2, (s: unknown, sub: unknown) => text('lastIndexOf', s).lastIndexOf(text('lastIndexOf', sub, 2)))],
  ['hasPrefix', b(2, 2, (s: unknown, p: unknown) => text('hasPrefix', s).startsWith(text('hasPrefix', p, 2)))],
  ['hasSuffix', b(2, 2, (s: unknown, p: unknown) => text('hasSuffix', s).endsWith(text('hasSuffix', p, 2)))],
  ['keys', b(1, 1, (m: unknown) => dataKeys(map('keys', m)))],
  ['values', b(1, 1, (m: unknown) => { const v = map('values', m); return dataKeys(v).map((k) => v[k]); })],
  ['abs', b(1, 1, (n: unknown) => Math.abs(num('abs', n)))],
  ['ceil', b(1, 1, (n: unknown) => Math.ceil(num('ceil', n)))],
  ['floor', b(1, 1, (n: unknown) => Math.floor(num('floor', n)))],
  ['round', b(1, 1, (n: unknown) => { const x = num('round', n); return Math.sign(x) * Math.round(Math.abs(x)); })],
  ['min', b(1, Infinity, (...args: unknown[]) => extreme('min', args))],
  ['max', b(1, Infinity, (...args: unknown[]) => extreme('max', args))],
  // expr-lang fetches element 0 (-1) and makes any failure nil: a string's first byte, nil for an empty list or a map.
  ['first', b(1, 1, (a: unknown) => getOrNil(a, 0))],
  ['last', b(1, 1, (a: unknown) => getOrNil(a, -1))],
  ['get', b(2, 2, getOrNil)],
  ['type', b(1, 1, typeName)],
  ['string', b(1, 1, (v: unknown) => formatGoValue(v))],
  ['int', b(1, 1, toInt)],
  ['float', b(1, 1, toFloat)],
  ['toJSON', b(1, 1, toJSON)],
  ['fromJSON', b(1, 1, fromJSON)],
  ['duration', b(1, 1, (s: unknown) => parseGoDuration(text('duration', s)))],
  ['date', b(1, 1, date)],
  ['toBase64', b(1, 1, (s: unknown) => Buffer.from(text('toBase64', s), 'utf8').toString('base64'))],
  ['fromBase64', b(1, 1, fromBase64)],
  ...ARRAY_BUILTINS,
  ...BITWISE_BUILTINS,
]);
