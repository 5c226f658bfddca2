import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';
import { isGoMap, isTrue, sortedKeys, type GoMap } from './template-values.ts';

/**
 * sprig's dict functions beyond `dict`, `get`, `hasKey` and `keys`. `set` and `unset` change the dict
 * they are given, as in sprig, unless it is read-only data (the object), which they copy first.
 */

type MutableMap = Record<string, unknown>;

function writable(map: GoMap): MutableMap {
  return Object.isFrozen(map) ? Object.assign(Object.create(null) as MutableMap, map) : (map as MutableMap);
}

function newMap(): MutableMap {
  return Object.create(null) as MutableMap;
}

/** mergo's deep merge of maps: a key is taken from src when dst lacks it, holds an empty value, or overwrite is on. */
function mergeInto(dst: MutableMap, src: GoMap, overwrite: boolean, depth = 0): void {
  if (depth > 64) throw new FunctionError('value nested too deeply');
  for (const key of Object.keys(src)) {
    const from = src[key];
    const to = dst[key];
    if (isGoMap(to) && isGoMap(from)) {
      const merged = writable(to);
      mergeInto(merged, from, overwrite, depth + 1);
      dst[key] = merged;
    } else if (!Object.hasOwn(dst, key) || !isTrue(to) || (overwrite && isTrue(from))) {
      dst[key] = from;
    }
  }
}

function merge(maps: readonly unknown[], overwrite: boolean): GoMap {
  const [first, ...rest] = maps as GoMap[];
  const dst = writable(first ?? newMap());
  for (const src of rest) mergeInto(dst, src, overwrite);
  return dst;
}

function deepCopy(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new FunctionError('deepCopy error: value nested too deeply');
  if (Array.isArray(value)) return value.map((v) => deepCopy(v, depth + 1));
  if (isGoMap(value)) {
    const out = newMap();
    for (const key of Object.keys(value)) out[key] = deepCopy(value[key], depth + 1);
    return out;
  }
  return value;
}

function dig(args: readonly unknown[]): unknown {
  if (args.length < 3) throw new FunctionError('dig needs at least three arguments');
  let map = args.at(-1);
  const fallback = args.at(-2);
  const path = args.slice(0, -2);
  for (const [i, key] of path.entries()) {
    if (typeof key !== 'string') throw new FunctionError(`interface conversion: interface {} is not string`);
    if (!isGoMap(map)) throw new FunctionError('interface conversion: interface {} is not map[string]interface {}');
    if (!Object.hasOwn(map, key)) return fallback;
    map = map[key];
    if (i === path.length - 1) return map;
  }
  return fallback;
}

const m = (value: unknown): GoMap => value as GoMap;

export const sprigDictFunctions: FunctionTable = {
  set: {
    params: ['map', 'string', 'any'],
    fn: ([map, key, value]) => {
      const target = writable(m(map));
      target[key as string] = value;
      return target;
    },
  },
  unset: {
    params: ['map', 'string'],
    fn: ([map, key]) => {
      const target = writable(m(map));
      delete target[key as string];
      return target;
    },
  },
  pluck: { params: ['string'], variadic: 'map', fn: ([key, ...maps]) => maps.filter((map) => Object.hasOwn(m(map), key as string)).map((map) => m(map)[key as string]) },
  // Go visits map keys in random order; sorted is one of its orders and a stable one.
  values: { params: ['map'], fn: ([map]) => sortedKeys(m(map)).map((key) => m(map)[key]) },
  pick: {
    params: ['map'],
    variadic: 'string',
    fn: ([map, ...keys]) => {
      const out = newMap();
      for (const key of keys as string[]) if (Object.hasOwn(m(map), key)) out[key] = m(map)[key];
      return out;
    },
  },
  omit: {
    params: ['map'],
    variadic: 'string',
    fn: ([map, ...keys]) => {
      const out = newMap();
      for (const key of Object.keys(m(map))) if (!keys.includes(key)) out[key] = m(map)[key];
      return out;
    },
  },
  merge: { params: ['map'], variadic: 'map', fn: (maps) => merge(maps, false) },
  mergeOverwrite: { params: ['map'], variadic: 'map', fn: (maps) => merge(maps, true) },
  deepCopy: { params: ['any'], fn: ([value]) => deepCopy(value) },
  dig: { params: [], variadic: 'any', fn: (args) => dig(args) },
};
