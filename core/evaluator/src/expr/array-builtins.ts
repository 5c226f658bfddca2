import { typeName } from '../host/type-name.ts';
import { runtimeError } from './runtime-error.ts';
import type { Builtin } from './builtin-functions.ts';

/** expr-lang v1.17's array builtins that take no predicate: take, reverse, sort, concat, flatten, uniq, mean, median. */

function array(fn: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw runtimeError(`${fn}(): argument must be an array, got ${typeName(value)}`);
  return value;
}

/** mean and median take numbers and arrays of numbers, arrays flattened, as expr-lang does. */
function numbers(fn: string, args: readonly unknown[], depth = 0): number[] {
  if (depth > 32) throw runtimeError(`${fn}(): value nested too deeply`);
  return args.flatMap((arg) => {
    if (typeof arg === 'number') return [arg];
    if (Array.isArray(arg)) return numbers(fn, arg, depth + 1);
    throw runtimeError(`invalid argument for ${fn} (type ${typeName(arg)})`);
  });
}

function mean(...args: unknown[]): number {
  const values = numbers('mean', args);
  if (values.length === 0) return 0;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function median(...args: unknown[]): number {
  const values = numbers('median', args).sort((a, b) => a - b);
  if (values.length === 0) return 0;
  const middle = Math.floor(values.length / 2);
  const upper = values[middle] ?? 0;
  return values.length % 2 === 0 ? ((values[middle - 1] ?? 0) + upper) / 2 : upper;
}

function take(value: unknown, n: unknown): unknown[] {
  const items = array('take', value);
  if (typeof n !== 'number' || !Number.isInteger(n)) throw runtimeError(`cannot take ${typeName(n)} elements`);
  return items.slice(0, Math.max(0, n));
}

/** Numbers sort among numbers and strings among strings; anything else cannot be ordered. */
function sortValues(value: unknown, order: unknown = 'asc'): unknown[] {
  const items = [...array('sort', value)];
  if (order !== 'asc' && order !== 'desc') throw runtimeError(`sort(): unknown order ${JSON.stringify(order)}, use asc or desc`);
  const kind = typeof items[0];
  if (items.some((v) => typeof v !== kind || (kind !== 'number' && kind !== 'string'))) {
    throw runtimeError(`sort(): cannot sort ${typeName(value)} of mixed or unordered values`);
  }
  items.sort((a, b) => ((a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0));
  return order === 'desc' ? items.reverse() : items;
}

function concat(...args: unknown[]): unknown[] {
  return args.flatMap((arg) => [...array('concat', arg)]);
}

function flatten(value: unknown, depth = 0): unknown[] {
  if (depth > 32) throw runtimeError('flatten(): value nested too deeply');
  return array('flatten', value).flatMap((item) => (Array.isArray(item) ? flatten(item, depth + 1) : [item]));
}

/** Keeps each value's first occurrence; values compare as Go's map keys do (numbers, strings, bools, nil). */
function uniq(value: unknown): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const item of array('uniq', value)) {
    if (item !== null && item !== undefined && typeof item === 'object') throw runtimeError(`uniq(): unhashable type ${typeName(item)}`);
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

const b = (min: number, max: number, fn: (...args: never[]) => unknown): Builtin => ({ min, max, fn: fn as (...args: unknown[]) => unknown });

export const ARRAY_BUILTINS: ReadonlyArray<readonly [string, Builtin]> = [
  ['take', b(2, 2, take)],
  ['reverse', b(1, 1, (value: unknown) => [...array('reverse', value)].reverse())],
  ['sort', b(1, 2, sortValues)],
  ['concat', b(1, Infinity, concat)],
  ['flatten', b(1, 1, (value: unknown) => flatten(value))],
  ['uniq', b(1, 1, uniq)],
  ['mean', b(1, Infinity, mean)],
  ['median', b(1, Infinity, median)],
];
