import { typeName } from '../host/type-name.ts';
import { spend } from './evaluation-budget.ts';
import { bool } from './operators.ts';
import { runtimeError } from './runtime-error.ts';

/** An operand jexl hands to an on-demand operator: evaluating it yields jexl's synchronous thenable. */
export interface LazyOperand {
  eval(): unknown;
}

/** The value of a thenable that `evalSync` has already settled; rethrows its error. */
export function force(pending: unknown): unknown {
  if (typeof pending !== 'object' || pending === null || typeof (pending as { then?: unknown }).then !== 'function') return pending;
  let settled = false;
  let failed = false;
  let value: unknown;
  let error: unknown;
  (pending as PromiseLike<unknown>).then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      failed = true;
      error = e;
    },
  );
  if (!settled) throw runtimeError('expression did not evaluate synchronously');
  if (failed) throw error;
  return value;
}

interface Scope {
  item: unknown;
  index: number;
  /** reduce's accumulator, `#acc`. */
  acc: unknown;
}

// Evaluation is synchronous, so one stack serves every expression: the innermost predicate is on top.
const scopes: Scope[] = [];

/** `#` (and the element behind `.field`) of the innermost predicate. */
export function currentItem(): unknown {
  const scope = scopes.at(-1);
  if (scope === undefined) throw runtimeError('"#" used outside a predicate');
  return scope.item;
}

/** `#index` of the innermost predicate. */
export function currentIndex(): number {
  const scope = scopes.at(-1);
  if (scope === undefined) throw runtimeError('"#index" used outside a predicate');
  return scope.index;
}

/** `#acc` of the innermost predicate (a reduce's accumulator). */
export function currentAcc(): unknown {
  const scope = scopes.at(-1);
  if (scope === undefined) throw runtimeError('"#acc" used outside a predicate');
  return scope.acc;
}

/** Drops scopes an aborted evaluation left behind. */
export function unwindScopes(depth: number): void {
  scopes.length = depth;
}

export function scopeDepth(): number {
  return scopes.length;
}

type Test = (index: number) => unknown;

interface PredicateBuiltin {
  /** `count(arr)` and `sum(arr)` may leave the predicate out: it is then `#`. */
  readonly optionalPredicate: boolean;
  /** Takes an optional third argument after the predicate: reduce's initial value, sortBy's order. */
  readonly extraArgument?: boolean;
  run(items: readonly unknown[], test: Test, name: string, extra: ExtraArgument, scope: Scope): unknown;
}

/** The third argument, when one was written. */
type ExtraArgument = { readonly value: unknown } | undefined;

/**
 * The array operand of a builtin that took a third argument (evaluated, as in expr-lang, after the array
 * and before the predicate runs).
 */
export class WithExtraArgument {
  readonly items: unknown;
  readonly extra: unknown;
  constructor(items: unknown, extra: unknown) {
    this.items = items;
    this.extra = extra;
    Object.freeze(this);
  }
}

const holds = (test: Test, name: string) => (i: number): boolean => bool(test(i), `the predicate of ${name}()`);

function findFrom(items: readonly unknown[], test: Test, name: string, fromEnd: boolean): number {
  const ok = holds(test, name);
  for (let k = 0; k < items.length; k += 1) {
    const i = fromEnd ? items.length - 1 - k : k;
    if (ok(i)) return i;
  }
  return -1;
}

function indexes(items: readonly unknown[]): number[] {
  return Array.from(items, (_, i) => i);
}

/** expr-lang's sortBy: elements in order of the predicate's value (numbers or strings), stable; `asc` unless the third argument says `desc`. */
function sortBy(items: readonly unknown[], test: Test, extra: ExtraArgument): unknown[] {
  const order = extra === undefined ? 'asc' : extra.value;
  if (order !== 'asc' && order !== 'desc') throw runtimeError(`sortBy(): unknown order ${typeof order === 'string' ? JSON.stringify(order) : typeName(order)}, use asc or desc`);
  const sorted = sortAscending(items, test);
  return order === 'desc' ? sorted.reverse() : sorted;
}

/**
 * expr-lang's reduce: `#acc` starts as the initial value, or as the first element (the loop then starts at
 * the second, `#index` 1); each element's predicate value becomes the next `#acc`; the last one is the result.
 */
function reduce(items: readonly unknown[], test: Test, extra: ExtraArgument, scope: Scope): unknown {
  let start = 0;
  if (extra !== undefined) scope.acc = extra.value;
  else {
    if (items.length === 0) throw runtimeError('reduce of empty array with no initial value');
    scope.acc = items[0];
    start = 1;
  }
  for (let i = start; i < items.length; i += 1) scope.acc = test(i);
  return scope.acc;
}

function sortAscending(items: readonly unknown[], test: Test): unknown[] {
  const keyed = items.map((item, i) => ({ item, key: test(i) }));
  const kind = typeof keyed[0]?.key;
  if (keyed.some(({ key }) => typeof key !== kind || (kind !== 'number' && kind !== 'string'))) {
    throw runtimeError('sortBy(): the predicate must give numbers or strings, all of one kind');
  }
  return keyed.sort((a, b) => ((a.key as number | string) < (b.key as number | string) ? -1 : (a.key as number | string) > (b.key as number | string) ? 1 : 0)).map(({ item }) => item);
}

/** expr-lang's groupBy: a map from each predicate value (as text, Herald's maps being text-keyed) to its elements. */
function groupBy(items: readonly unknown[], test: Test): Record<string, unknown[]> {
  const groups = Object.create(null) as Record<string, unknown[]>;
  items.forEach((item, i) => {
    const key = test(i);
    if (key !== null && typeof key === 'object') throw runtimeError(`groupBy(): cannot group by ${typeName(key)}`);
    (groups[String(key ?? '<nil>')] ??= []).push(item);
  });
  return groups;
}

/** expr-lang builtins whose second argument is a predicate, evaluated once per element. */
export const PREDICATE_BUILTINS: ReadonlyMap<string, PredicateBuiltin> = new Map<string, PredicateBuiltin>([
  ['all', { optionalPredicate: false, run: (items, test, name) => indexes(items).every(holds(test, name)) }],
  ['any', { optionalPredicate: false, run: (items, test, name) => indexes(items).some(holds(test, name)) }],
  ['none', { optionalPredicate: false, run: (items, test, name) => !indexes(items).some(holds(test, name)) }],
  ['one', {
    optionalPredicate: false,
    run: (items, test, name) => {
      const ok = holds(test, name);
      let found = 0;
      for (let i = 0; i < items.length && found < 2; i += 1) if (ok(i)) found += 1;
      return found === 1;
    },
  }],
  ['filter', {
    optionalPredicate: false,
    run: (items, test, name) => {
      const ok = holds(test, name);
      return items.filter((_, i) => ok(i));
    },
  }],
  ['map', { optionalPredicate: false, run: (items, test) => items.map((_, i) => test(i) ?? null) }],
  ['count', { optionalPredicate: true, run: (items, test, name) => indexes(items).filter(holds(test, name)).length }],
  ['sum', {
    optionalPredicate: true,
    run: (items, test) =>
      indexes(items).reduce((total: number, i) => {
        const value = test(i);
        if (typeof value !== 'number') throw runtimeError(`sum(): cannot add ${typeName(value)}`);
        return total + value;
      }, 0),
  }],
  ['find', { optionalPredicate: false, run: (items, test, name) => items[findFrom(items, test, name, false)] }],
  ['findIndex', { optionalPredicate: false, run: (items, test, name) => findFrom(items, test, name, false) }],
  ['findLast', { optionalPredicate: false, run: (items, test, name) => items[findFrom(items, test, name, true)] }],
  ['findLastIndex', { optionalPredicate: false, run: (items, test, name) => findFrom(items, test, name, true) }],
  ['sortBy', { optionalPredicate: false, extraArgument: true, run: (items, test, _name, extra) => sortBy(items, test, extra) }],
  ['reduce', { optionalPredicate: false, extraArgument: true, run: (items, test, _name, extra, scope) => reduce(items, test, extra, scope) }],
  ['groupBy', { optionalPredicate: false, run: (items, test) => groupBy(items, test) }],
]);

/** Runs predicate builtin `name` over the array operand, pushing each element as `#` while the body runs. */
export function runPredicate(name: string, array: LazyOperand, body: LazyOperand): unknown {
  const builtin = PREDICATE_BUILTINS.get(name);
  if (builtin === undefined) throw runtimeError(`unknown builtin ${name}()`);
  const operand = force(array.eval());
  const extra: ExtraArgument = operand instanceof WithExtraArgument ? { value: operand.extra } : undefined;
  const given = operand instanceof WithExtraArgument ? operand.items : operand;
  // expr-lang iterates a string as its UTF-8 bytes (numbers), like an array.
  const items: unknown = typeof given === 'string' ? Array.from(Buffer.from(given, 'utf8')) : given;
  spend(typeof given === 'string' ? given.length : 0);
  if (!Array.isArray(items)) throw runtimeError(`${name}(): argument 1 must be an array, got ${typeName(items)}`);
  const scope: Scope = { item: undefined, index: 0, acc: undefined };
  scopes.push(scope);
  try {
    const test: Test = (i) => {
      spend(1);
      scope.item = items[i];
      scope.index = i;
      return force(body.eval());
    };
    return builtin.run(items, test, name, extra, scope);
  } finally {
    scopes.pop();
  }
}
