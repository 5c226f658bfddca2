import { GoDuration, GoTime } from '../host/index.ts';
import { formatFloat } from './go-float.ts';
import { GoSemver } from './sprig-semver.ts';
import { isGoMap, isInteger, sortedKeys } from './template-values.ts';

/**
 * How Go's fmt prints template values with `%v`: `map[a:1 b:[1 2]]`, `<nil>`, int64 without exponent,
 * float64 in its shortest form (`1.5`, `1e+06`), times and durations through their String method.
 */

/** Integral numbers print as Go's int64 (data decoded by Kubernetes); others as float64. */
export function formatGoNumber(n: number): string {
  if (isInteger(n)) {
    if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n === 0 ? 0 : n);
    return BigInt(n).toString();
  }
  return formatFloat(n, 'g', -1);
}

/** `fmt.Sprint(value)` of one value (`%v`). */
export function goSprint(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatGoNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return '<nil>';
    case 'function':
      // Go prints a function's address; there is none to show here.
      return '<func>';
    default:
      if (value === null) return '<nil>';
      if (Array.isArray(value)) return `[${value.map(goSprint).join(' ')}]`;
      if (value instanceof GoTime || value instanceof GoDuration || value instanceof GoSemver) return value.String();
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '<invalid time>' : GoTime.fromDate(value).String();
      if (isGoMap(value)) return `map[${sortedKeys(value).map((k) => `${k}:${goSprint(value[k])}`).join(' ')}]`;
      return '<unknown>';
  }
}

/** `fmt.Sprint(a, b, …)`: a space between operands when neither is a string. */
export function goSprintMany(values: readonly unknown[]): string {
  let out = '';
  values.forEach((value, i) => {
    if (i > 0 && typeof value !== 'string' && typeof values[i - 1] !== 'string') out += ' ';
    out += goSprint(value);
  });
  return out;
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };

/** Go's `strconv.Quote` (and `%q`): printable runes as they are, the rest escaped. */
export function goQuote(text: string, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (const ch of text) {
    if (ch === quote) {
      out += `\\${ch}`;
      continue;
    }
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) {
      out += named;
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0xfffd;
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}
