import { GoDuration } from '../host/go-duration.ts';
import { GoTime } from '../host/go-time.ts';
import { isNil, isPlainMap } from './value-access.ts';

/**
 * A value as Go's `fmt` `%v` prints it, which is what expr-lang's `string()` returns: `<nil>`, `[a b]`,
 * `map[a:1 b:2]` (keys sorted), durations as `1m30s`, times as `2006-01-02 15:04:05 +0000 UTC`.
 */
export function formatGoValue(value: unknown, depth = 0): string {
  if (isNil(value)) return '<nil>';
  if (depth > 32) return '...';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return String(value);
    case 'number':
      return formatNumber(value);
    default:
      break;
  }
  if (value instanceof GoTime || value instanceof GoDuration) return value.String();
  if (Array.isArray(value)) return `[${value.map((v) => formatGoValue(v, depth + 1)).join(' ')}]`;
  if (isPlainMap(value)) {
    const entries = Object.keys(value).sort().map((k) => `${k}:${formatGoValue(value[k], depth + 1)}`);
    return `map[${entries.join(' ')}]`;
  }
  // Never String(value): that would run a toString found on the object.
  return Object.prototype.toString.call(value);
}

/** Integers as Go ints; other numbers as Go's shortest `%v` float (`1.5`, `1e-07`, `1.2345675e+06`). */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 21 || (!Number.isInteger(n) && exponent >= 6)) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(n);
}
