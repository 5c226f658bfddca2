import { z } from 'zod';
import { DurationError } from './errors.ts';

/**
 * Herald's one duration syntax: Go's `time.ParseDuration` (decimal numbers with a unit each, `ns`, `us`/`µs`,
 * `ms`, `s`, `m`, `h`, in sequences such as `1h30m` or `1.5s`, a lone `0` without a unit), plus `d` (24 h)
 * where a reader asks for it. Go has no days: Argo's config never takes them, herald.yaml does (`maxAge: 7d`).
 */
export interface DurationOptions {
  /** Also take `d` (24 hours) as a unit. Default false: exactly Go's units. */
  days?: boolean;
}

const NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3, // micro sign
  '\u03bcs': 1e3, // Greek mu
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};
const DAY_NS = 8.64e13;
const MAX_NS = 2 ** 63 - 1;
const SEGMENT = /(\d*)(?:\.(\d*))?([^\d.]*)/y;

/** Why `text` is no duration, or its signed length in nanoseconds; Go's grammar, so Go's own errors. */
function scan(text: string, days: boolean): number | string {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return 'no number';
  let total = 0;
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < rest.length) {
    const [, whole = '', fraction, unit = ''] = SEGMENT.exec(rest)!;
    if (whole === '' && !fraction) return 'a unit without a number';
    if (unit === '') return `missing unit after ${whole}${fraction === undefined ? '' : `.${fraction}`}`;
    const scale = Object.hasOwn(NS, unit) ? NS[unit]! : days && unit === 'd' ? DAY_NS : undefined;
    if (scale === undefined) return `unknown unit ${JSON.stringify(unit)}`;
    total += Number(whole || '0') * scale + (fraction ? Number(`0.${fraction}`) * scale : 0);
    if (total > MAX_NS) return 'longer than Go can hold (about 292 years)';
  }
  return sign * Math.round(total);
}

function hint(days: boolean): string {
  return `use e.g. 500ms, 10s, 5m, 1h30m${days ? ', 7d' : ''}`;
}

/**
 * Nanoseconds, exactly as Go's `time.ParseDuration` reads `text` (a sign allowed, no spaces), with `d` only
 * when `options.days`. Throws a DurationError naming the text and what is wrong with it.
 */
export function parseDurationNanoseconds(text: string, options: DurationOptions = {}): number {
  const days = options.days ?? false;
  const result = typeof text === 'string' ? scan(text, days) : 'not text';
  if (typeof result === 'string') throw new DurationError(`${JSON.stringify(text)} is not a duration: ${result} (${hint(days)})`, text);
  return result;
}

/**
 * Milliseconds of a duration written in config: Go's syntax (plus `d` with `options.days`), spaces around
 * it ignored, never negative, rounded to a whole millisecond (`1500us` is 2). Throws a DurationError naming
 * the text otherwise.
 */
export function parseDuration(text: string, options: DurationOptions = {}): number {
  const ns = parseDurationNanoseconds(typeof text === 'string' ? text.trim() : text, options);
  if (ns < 0) throw new DurationError(`${JSON.stringify(text)} is not a duration: it is negative (${hint(options.days ?? false)})`, text);
  return Math.round(ns / 1e6) + 0;
}

/**
 * A config duration: milliseconds as a number, or a duration string (see `parseDuration`); parses to
 * milliseconds. A bad string is an issue whose message names it.
 */
export function durationSchema(options: DurationOptions = {}) {
  return z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx): number => {
    if (typeof value === 'number') return value;
    try {
      return parseDuration(value, options);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}
