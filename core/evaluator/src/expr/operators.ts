import { GoDuration } from '../host/go-duration.ts';
import { GoTime } from '../host/go-time.ts';
import { typeName } from '../host/type-name.ts';
import { spend, spendText } from './evaluation-budget.ts';
import { runtimeError } from './runtime-error.ts';
import { isBlockedName, isNil, isPlainMap } from './value-access.ts';

/**
 * expr-lang's operator semantics. No implicit conversions: `1 == '1'` is false, `'a' + 1` and `nil < 1`
 * are errors, as in Go. Durations take part in arithmetic and compare with each other and with numbers
 * (nanoseconds); times compare with times.
 */

/** `==`: numbers, strings, bools by value; nil equals nil (and a missing value); times by instant; arrays and maps deeply. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') spendText(Math.min(a.length, b.length));
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (a instanceof GoDuration || b instanceof GoDuration) {
    const x = a instanceof GoDuration ? a.Nanoseconds() : a;
    const y = b instanceof GoDuration ? b.Nanoseconds() : b;
    return typeof x === 'number' && x === y;
  }
  if (a instanceof GoTime) return b instanceof GoTime && a.Equal(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    spend(a.length);
    return a.every((item, i) => equal(item, b[i]));
  }
  if (isPlainMap(a) && isPlainMap(b)) {
    const keys = Object.keys(a);
    spend(keys.length);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

function mismatch(op: string, a: unknown, b: unknown): never {
  throw runtimeError(`invalid operation: ${op} (mismatched types ${typeName(a)} and ${typeName(b)})`);
}

/** A number or a duration's nanoseconds; undefined for anything else. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return value instanceof GoDuration ? value.Nanoseconds() : undefined;
}

export function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
  let x: number | string | undefined;
  let y: number | string | undefined;
  if (typeof a === 'string' && typeof b === 'string') {
    spendText(Math.min(a.length, b.length));
    [x, y] = [a, b];
  }
  else if (a instanceof GoTime && b instanceof GoTime) [x, y] = [a.UnixMilli(), b.UnixMilli()];
  else [x, y] = [numeric(a), numeric(b)];
  if (x === undefined || y === undefined) return mismatch(op, a, b);
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

export function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') {
    spendText(a.length + b.length);
    return a + b;
  }
  if (a instanceof GoTime && b instanceof GoDuration) return a.Add(b);
  if (a instanceof GoDuration && b instanceof GoTime) return b.Add(a);
  if (a instanceof GoDuration && b instanceof GoDuration) return new GoDuration(a.Nanoseconds() + b.Nanoseconds());
  return mismatch('+', a, b);
}

export function subtract(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a instanceof GoTime && b instanceof GoTime) return a.Sub(b);
  if (a instanceof GoTime && b instanceof GoDuration) return a.Add(new GoDuration(-b.Nanoseconds()));
  if (a instanceof GoDuration && b instanceof GoDuration) return new GoDuration(a.Nanoseconds() - b.Nanoseconds());
  return mismatch('-', a, b);
}

export function multiply(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a instanceof GoDuration && typeof b === 'number') return new GoDuration(a.Nanoseconds() * b);
  if (typeof a === 'number' && b instanceof GoDuration) return new GoDuration(a * b.Nanoseconds());
  return mismatch('*', a, b);
}

/** `/` is float division, as in expr-lang (`7 / 2 == 3.5`); a duration divided by a duration is their ratio. */
export function divide(a: unknown, b: unknown): unknown {
  if (a instanceof GoDuration && typeof b === 'number') {
    if (b === 0) throw runtimeError('integer divide by zero');
    return new GoDuration(a.Nanoseconds() / b);
  }
  const x = numeric(a);
  const y = numeric(b);
  if (x === undefined || y === undefined || (a instanceof GoDuration) !== (b instanceof GoDuration)) return mismatch('/', a, b);
  return x / y;
}

export function modulo(a: unknown, b: unknown): number {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b)) return mismatch('%', a, b);
  if (b === 0) throw runtimeError('integer divide by zero');
  return a % b;
}

export function power(a: unknown, b: unknown): number {
  if (typeof a !== 'number' || typeof b !== 'number') return mismatch('**', a, b);
  return a ** b;
}

export function negate(a: unknown): unknown {
  if (typeof a === 'number') return -a;
  if (a instanceof GoDuration) return new GoDuration(-a.Nanoseconds());
  throw runtimeError(`invalid operation: -${typeName(a)}`);
}

export function plus(a: unknown): unknown {
  if (typeof a === 'number' || a instanceof GoDuration) return a;
  throw runtimeError(`invalid operation: +${typeName(a)}`);
}

/** Operands of `and`, `or`, `not`, `?:` must be bools, as in expr-lang; nil is not false. */
export function bool(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw runtimeError(`${where} needs a bool, got ${typeName(value)}`);
  return value;
}

export function not(value: unknown): boolean {
  return !bool(value, 'not');
}

/** `in`: membership in an array, or a key of a map. Nil contains nothing; a string is not a collection (use `contains`). */
export function isIn(needle: unknown, haystack: unknown): boolean {
  if (isNil(haystack)) return false;
  if (Array.isArray(haystack)) {
    spend(haystack.length);
    return haystack.some((item) => equal(needle, item));
  }
  if (isPlainMap(haystack)) return typeof needle === 'string' && !isBlockedName(needle) && Object.hasOwn(haystack, needle);
  throw runtimeError(`operator "in" not defined on ${typeName(haystack)}`);
}

function strings(op: string, a: unknown, b: unknown): [string, string] {
  if (typeof a !== 'string' || typeof b !== 'string') return mismatch(op, a, b);
  return [a, b];
}

/** `contains`, `startsWith`, `endsWith`: false when either side is nil (expr-lang's VM), else both must be strings. */
export const contains = (a: unknown, b: unknown): boolean => {
  if (isNil(a) || isNil(b)) return false;
  const [s, sub] = strings('contains', a, b);
  return s.includes(sub);
};
export const startsWith = (a: unknown, b: unknown): boolean => {
  if (isNil(a) || isNil(b)) return false;
  const [s, prefix] = strings('startsWith', a, b);
  return s.startsWith(prefix);
};
export const endsWith = (a: unknown, b: unknown): boolean => {
  if (isNil(a) || isNil(b)) return false;
  const [s, suffix] = strings('endsWith', a, b);
  return s.endsWith(suffix);
};

const MAX_RANGE = 1_000_000;

/** `a..b`: the integers from a to b inclusive (empty when b < a). */
export function range(a: unknown, b: unknown): number[] {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b)) return mismatch('..', a, b);
  if (b - a >= MAX_RANGE) throw runtimeError(`range ${a}..${b} is longer than ${MAX_RANGE}`);
  spend(Math.max(b - a + 1, 0));
  return b < a ? [] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
