import { checkGeneratedLength, type FunctionTable } from './function-types.ts';
import { toInt64 } from './sprig-numbers.ts';
import { strval } from './sprig-strings.ts';
import { FunctionError } from './template-errors.ts';
import { compareGoStrings, goTypeName, isTrue, mapIndex, type GoMap } from './template-values.ts';

/** sprig's defaults, lists and dicts. Maps built here have no prototype, so any key is a plain key. */

/** sprig's slice: `slice list`, `slice list i`, `slice list i j`. */
export function sliceList(list: unknown, indices: readonly unknown[]): unknown[] {
  if (!Array.isArray(list)) throw new FunctionError(`list should be type of slice or array but ${goTypeName(list)}`);
  const [low = 0, high = list.length] = indices.map(toInt64);
  if (indices.length > 2) throw new FunctionError('too many indices for slice');
  if (low < 0 || high < low || high > list.length) throw new FunctionError('slice index out of bounds');
  return list.slice(low, high);
}

function ends(list: unknown, name: string, pick: (items: readonly unknown[]) => unknown): unknown {
  if (!Array.isArray(list)) throw new FunctionError(`Cannot find ${name} on type ${goTypeName(list)}`);
  return list.length === 0 ? null : pick(list);
}

function until(count: number): number[] {
  checkGeneratedLength(Math.abs(count));
  const step = count < 0 ? -1 : 1;
  return Array.from({ length: Math.abs(count) }, (_, i) => i * step);
}

function dict(pairs: readonly unknown[]): Record<string, unknown> {
  const map = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < pairs.length; i += 2) map[strval(pairs[i])] = i + 1 < pairs.length ? pairs[i + 1] : '';
  return map;
}

const m = (value: unknown): GoMap => value as GoMap;

export const sprigCollectionFunctions: FunctionTable = {
  default: { params: ['any'], variadic: 'any', fn: ([fallback, given]) => (isTrue(given) ? given : fallback) },
  empty: { params: ['any'], fn: ([value]) => !isTrue(value) },
  coalesce: { params: [], variadic: 'any', fn: (values) => values.find(isTrue) ?? null },
  ternary: { params: ['any', 'any', 'bool'], fn: ([whenTrue, whenFalse, condition]) => (condition === true ? whenTrue : whenFalse) },
  list: { params: [], variadic: 'any', fn: (values) => [...values] },
  dict: { params: [], variadic: 'any', fn: (pairs) => dict(pairs) },
  get: { params: ['map', 'string'], fn: ([map, key]) => mapIndex(m(map), key as string) ?? '' },
  hasKey: { params: ['map', 'string'], fn: ([map, key]) => Object.hasOwn(m(map), key as string) },
  // Go visits map keys in random order; sorted is one of its orders and a stable one.
  keys: { params: ['map'], variadic: 'map', fn: (maps) => maps.flatMap((map) => Object.keys(m(map))).sort(compareGoStrings) },
  first: { params: ['any'], fn: ([list]) => ends(list, 'first', (items) => items[0]) },
  last: { params: ['any'], fn: ([list]) => ends(list, 'last', (items) => items.at(-1)) },
  until: { params: ['int'], fn: ([count]) => until(count as number) },
  fail: {
    params: ['string'],
    fn: ([message]) => {
      throw new FunctionError(message as string);
    },
  },
};
