import { GoDuration } from '../host/index.ts';
import { parseGoInteger } from './go-literals.ts';
import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';

/**
 * sprig's integer arithmetic and conversions. Arithmetic is on int64 as in sprig (`div 7 2` is 3), with
 * arguments converted as spf13/cast does: floats truncated, strings parsed (`"0x10"`, `"1.0"`), bools
 * 0/1, anything unreadable 0.
 */

/** cast.ToInt64 */
export function toInt64(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? Math.trunc(value) : 0;
    case 'boolean':
      return value ? 1 : 0;
    case 'string':
      // cast drops a zero decimal part before parsing: "1.0" is 1, "1.5" is an error.
      return parseGoInteger(value.replace(/\.0*$/, '')) ?? 0;
    default:
      return value instanceof GoDuration ? value.Nanoseconds() : 0;
  }
}

const FLOAT_TEXT = /^[+-]?(?:[0-9](?:_?[0-9])*\.?(?:[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?$/;

/** cast.ToFloat64 */
export function toFloat64(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'string': {
      if (/^[+-]?(inf|infinity)$/i.test(value)) return value.startsWith('-') ? -Infinity : Infinity;
      if (/^nan$/i.test(value)) return Number.NaN;
      return FLOAT_TEXT.test(value) ? Number(value.replaceAll('_', '')) : 0;
    }
    default:
      return value instanceof GoDuration ? value.Nanoseconds() : 0;
  }
}

function divisor(value: unknown): number {
  const b = toInt64(value);
  if (b === 0) throw new FunctionError('runtime error: integer divide by zero');
  return b;
}

export const sprigNumberFunctions: FunctionTable = {
  add: { params: [], variadic: 'any', fn: (values) => values.reduce<number>((sum, v) => sum + toInt64(v), 0) },
  add1: { params: ['any'], fn: ([value]) => toInt64(value) + 1 },
  sub: { params: ['any', 'any'], fn: ([a, b]) => toInt64(a) - toInt64(b) },
  mul: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => rest.reduce<number>((product, v) => product * toInt64(v), toInt64(first)) },
  div: { params: ['any', 'any'], fn: ([a, b]) => Math.trunc(toInt64(a) / divisor(b)) },
  mod: { params: ['any', 'any'], fn: ([a, b]) => toInt64(a) % divisor(b) },
  max: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => Math.max(toInt64(first), ...rest.map(toInt64)) },
  min: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => Math.min(toInt64(first), ...rest.map(toInt64)) },
  atoi: { params: ['string'], fn: ([text]) => (/^[+-]?[0-9]+$/.test(text as string) ? Number(text) : 0) },
  int: { params: ['any'], fn: ([value]) => toInt64(value) },
  int64: { params: ['any'], fn: ([value]) => toInt64(value) },
  float64: { params: ['any'], fn: ([value]) => toFloat64(value) },
  floor: { params: ['any'], fn: ([value]) => Math.floor(toFloat64(value)) },
  ceil: { params: ['any'], fn: ([value]) => Math.ceil(toFloat64(value)) },
};
