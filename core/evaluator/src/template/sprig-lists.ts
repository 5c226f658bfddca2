import { checkGeneratedLength, type FunctionTable } from './function-types.ts';
import { strval } from './sprig-strings.ts';
import { FunctionError } from './template-errors.ts';
import { compareGoStrings, goTypeName, isGoMap, isTrue } from './template-values.ts';

/** sprig's list functions beyond `list`, `first`, `last` and `slice`; a non-list is an error, as sprig panics. */

function items(value: unknown, verb: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new FunctionError(`Cannot ${verb} on type ${goTypeName(value)}`);
  return value;
}

/** Go's reflect.DeepEqual over template values. */
export function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > 64) throw new FunctionError('value nested too deeply');
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i], depth + 1));
  if (isGoMap(a) && isGoMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k], depth + 1));
  }
  return false;
}

function chunk(size: number, list: readonly unknown[]): unknown[][] {
  if (size <= 0) throw new FunctionError('runtime error: integer divide by zero');
  const out: unknown[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function uniq(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const item of list) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
  return out;
}

/** sprig's strslice: a list's non-nil elements as strings. */
function strings(list: readonly unknown[]): string[] {
  return list.filter((v) => v !== null && v !== undefined).map(strval);
}

const l = (value: unknown, verb: string): readonly unknown[] => items(value, verb);

export const sprigListFunctions: FunctionTable = {
  all: { params: [], variadic: 'any', fn: (values) => values.every(isTrue) },
  any: { params: [], variadic: 'any', fn: (values) => values.some(isTrue) },
  compact: { params: ['any'], fn: ([list]) => l(list, 'compact').filter(isTrue) },
  rest: { params: ['any'], fn: ([list]) => l(list, 'find rest').slice(1) },
  initial: { params: ['any'], fn: ([list]) => l(list, 'find initial').slice(0, -1) },
  append: { params: ['any', 'any'], fn: ([list, value]) => [...l(list, 'push'), value] },
  push: { params: ['any', 'any'], fn: ([list, value]) => [...l(list, 'push'), value] },
  prepend: { params: ['any', 'any'], fn: ([list, value]) => [value, ...l(list, 'prepend')] },
  concat: {
    params: [],
    variadic: 'any',
    fn: (lists) => {
      const out = lists.flatMap((list) => [...l(list, 'concat')]);
      checkGeneratedLength(out.length);
      return out;
    },
  },
  reverse: { params: ['any'], fn: ([list]) => [...l(list, 'find reverse')].reverse() },
  uniq: { params: ['any'], fn: ([list]) => uniq(l(list, 'find uniq')) },
  without: { params: ['any'], variadic: 'any', fn: ([list, ...omit]) => l(list, 'find without').filter((v) => !omit.some((o) => deepEqual(o, v))) },
  has: {
    params: ['any', 'any'],
    fn: ([needle, haystack]) => (haystack === null ? false : l(haystack, 'find has').some((v) => deepEqual(needle, v))),
  },
  chunk: { params: ['int', 'any'], fn: ([size, list]) => chunk(size as number, l(list, 'chunk')) },
  mustFirst: { params: ['any'], fn: ([list]) => (l(list, 'find first').length === 0 ? null : l(list, 'find first')[0]) },
  mustLast: { params: ['any'], fn: ([list]) => (l(list, 'find last').length === 0 ? null : l(list, 'find last').at(-1)) },
  sortAlpha: {
    params: ['any'],
    fn: ([list]) => (Array.isArray(list) ? strings(list).sort(compareGoStrings) : [strval(list)]),
  },
  toStrings: { params: ['any'], fn: ([value]) => (Array.isArray(value) ? strings(value) : value === null ? [] : [strval(value)]) },
  deepEqual: { params: ['any', 'any'], fn: ([a, b]) => deepEqual(a, b) },
};
