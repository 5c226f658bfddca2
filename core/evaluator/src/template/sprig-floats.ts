import { checkGeneratedLength, type FunctionTable } from './function-types.ts';
import { toFloat64, toInt64 } from './sprig-numbers.ts';

/**
 * sprig's float arithmetic and sequences. addf, subf and mulf compute on decimals (shopspring/decimal
 * from each float's shortest text), so `addf 0.1 0.2` is 0.3, not 0.30000000000000004; the result is
 * then a float64 again.
 */

interface Decimal {
  readonly digits: bigint;
  readonly scale: number;
}

function toDecimal(value: number): Decimal {
  const [mantissa = '0', exp = '0'] = value.toExponential().split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const scale = fraction.length - Number(exp);
  return { digits: BigInt(whole + fraction), scale };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.digits * 10n ** BigInt(scale - a.scale), b.digits * 10n ** BigInt(scale - b.scale), scale];
}

function toNumber(d: Decimal): number {
  return Number(`${d.digits}e${-d.scale}`);
}

type DecimalOp = (a: Decimal, b: Decimal) => Decimal;

const add: DecimalOp = (a, b) => {
  const [x, y, scale] = align(a, b);
  return { digits: x + y, scale };
};
const sub: DecimalOp = (a, b) => {
  const [x, y, scale] = align(a, b);
  return { digits: x - y, scale };
};
const mul: DecimalOp = (a, b) => ({ digits: a.digits * b.digits, scale: a.scale + b.scale });

/** Non-finite values have no decimal; sprig's decimal would panic, Herald falls back to float arithmetic. */
function decimalFold(first: unknown, rest: readonly unknown[], op: DecimalOp, fallback: (a: number, b: number) => number): number {
  let result = toFloat64(first);
  for (const value of rest) {
    const next = toFloat64(value);
    result = Number.isFinite(result) && Number.isFinite(next) ? toNumber(op(toDecimal(result), toDecimal(next))) : fallback(result, next);
  }
  return result;
}

function round(value: unknown, places: unknown, roundOn: unknown = 0.5): number {
  const pow = 10 ** toFloat64(places);
  const digit = pow * toFloat64(value);
  const fraction = digit - Math.trunc(digit);
  return (fraction >= toFloat64(roundOn) ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

function untilStep(start: number, stop: number, step: number): number[] {
  if (step === 0 || (stop < start ? step > 0 : step < 0)) return [];
  checkGeneratedLength(Math.ceil(Math.abs((stop - start) / step)));
  const out: number[] = [];
  for (let i = start; stop < start ? i > stop : i < stop; i += step) out.push(i);
  return out;
}

function seq(params: readonly number[]): string {
  const [a = 0, b = 0, c = 0] = params;
  switch (params.length) {
    case 1:
      return untilStep(1, a + (a < 1 ? -1 : 1), a < 1 ? -1 : 1).join(' ');
    case 2:
      return untilStep(a, b + (b < a ? -1 : 1), b < a ? -1 : 1).join(' ');
    case 3:
      if (c < a && b > 0) return '';
      return untilStep(a, c + (c < a ? -1 : 1), b).join(' ');
    default:
      return '';
  }
}

export const sprigFloatFunctions: FunctionTable = {
  addf: { params: [], variadic: 'any', fn: (values) => decimalFold(0, values, add, (a, b) => a + b) },
  add1f: { params: ['any'], fn: ([value]) => decimalFold(value, [1], add, (a, b) => a + b) },
  subf: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => decimalFold(first, rest, sub, (a, b) => a - b) },
  mulf: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => decimalFold(first, rest, mul, (a, b) => a * b) },
  divf: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => rest.reduce<number>((q, v) => q / toFloat64(v), toFloat64(first)) },
  maxf: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => Math.max(toFloat64(first), ...rest.map(toFloat64)) },
  minf: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => Math.min(toFloat64(first), ...rest.map(toFloat64)) },
  biggest: { params: ['any'], variadic: 'any', fn: ([first, ...rest]) => Math.max(toInt64(first), ...rest.map(toInt64)) },
  round: { params: ['any', 'int'], variadic: 'any', fn: ([value, places, roundOn]) => round(value, places, roundOn) },
  untilStep: { params: ['int', 'int', 'int'], fn: ([start, stop, step]) => untilStep(start as number, stop as number, step as number) },
  seq: { params: [], variadic: 'int', fn: (params) => seq(params as number[]) },
};
