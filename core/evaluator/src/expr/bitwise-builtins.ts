import { typeName } from '../host/type-name.ts';
import { runtimeError } from './runtime-error.ts';
import type { Builtin } from './builtin-functions.ts';

/** expr-lang's bit builtins, on Go's int (64-bit, two's complement), computed with BigInt to keep all 64 bits. */

function int64(fn: string, value: unknown): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw runtimeError(`${fn}(): argument must be an integer, got ${typeName(value)}`);
  return BigInt(value);
}

function shift(fn: string, value: unknown): bigint {
  const n = int64(fn, value);
  if (n < 0n) throw runtimeError(`invalid operation: negative shift count ${n}`);
  return n > 64n ? 64n : n;
}

const toNumber = (value: bigint): number => Number(BigInt.asIntN(64, value));

const two = (fn: string, op: (a: bigint, b: bigint) => bigint): Builtin => ({
  min: 2,
  max: 2,
  fn: (a, b) => toNumber(op(int64(fn, a), int64(fn, b))),
});

const shifting = (fn: string, op: (a: bigint, n: bigint) => bigint): Builtin => ({
  min: 2,
  max: 2,
  fn: (a, n) => toNumber(op(int64(fn, a), shift(fn, n))),
});

export const BITWISE_BUILTINS: ReadonlyArray<readonly [string, Builtin]> = [
  ['bitand', two('bitand', (a, b) => a & b)],
  ['bitor', two('bitor', (a, b) => a | b)],
  ['bitxor', two('bitxor', (a, b) => a ^ b)],
  ['bitnand', two('bitnand', (a, b) => a & ~b)],
  ['bitnot', { min: 1, max: 1, fn: (a) => toNumber(~int64('bitnot', a)) }],
  ['bitshl', shifting('bitshl', (a, n) => a << n)],
  ['bitshr', shifting('bitshr', (a, n) => a >> n)],
  ['bitushr', shifting('bitushr', (a, n) => BigInt.asUintN(64, a) >> n)],
];
