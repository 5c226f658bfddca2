import { typeName } from '../host/type-name.ts';
import { runtimeError } from './runtime-error.ts';

/**
 * Names never read from any value, even when data has them as own keys: they are how JS code reaches
 * prototypes and constructors, so an expression gets nil for them.
 */
const BLOCKED_NAMES: ReadonlySet<string> = new Set([
  '__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

export function isBlockedName(name: string): boolean {
  return BLOCKED_NAMES.has(name);
}

/** A map from data: a plain or null-prototype object (arrays, class instances, dates and functions are not). */
export function isPlainMap(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export const isNil = (value: unknown): value is null | undefined => value === null || value === undefined;

/**
 * What an optional access (`a?.b`) on nil gives: it ends the chain it is in, which `endChain` turns into
 * nil, so `a?.b.c` is nil when `a` is (expr-lang's chain semantics). Never seen outside a chain.
 */
export const CHAIN_ENDED: unique symbol = Symbol('chain ended');

/** The value of a chain that went through `?.`. */
export function endChain(value: unknown): unknown {
  return value === CHAIN_ENDED ? undefined : value;
}

/** A string as Go holds it: its UTF-8 bytes, which is what expr-lang indexes and slices. */
function utf8Bytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/**
 * `object[key]` as expr-lang fetches it: own data properties of maps (a missing key is nil), integer
 * indexes of arrays and strings (a string's element is a byte, a number: `'abc'[0]` is 97; negative
 * counts from the end; out of range is an error). Fetching from
 * nil is an error unless written `?.` (`optional`); so is a name on a scalar or an array. Prototype
 * members and functions are nil, never reached; fields of host values (times, durations) are nil.
 */
export function getMember(object: unknown, key: unknown, optional = false): unknown {
  if (object === CHAIN_ENDED) return CHAIN_ENDED;
  if (object === null || object === undefined) {
    if (optional) return CHAIN_ENDED;
    throw runtimeError(`cannot fetch ${String(key)} from <nil>`);
  }
  if (typeof key === 'string') {
    if (isPlainMap(object)) return BLOCKED_NAMES.has(key) ? undefined : ownValue(object, key);
    if (typeof object !== 'object') throw runtimeError(`cannot fetch ${key} from ${typeName(object)}`);
    if (Array.isArray(object)) throw runtimeError(`cannot fetch ${key} from array`);
    return undefined;
  }
  if (typeof key !== 'number' || !Number.isInteger(key)) return undefined;
  // expr-lang's maps are keyed by strings: an integer key cannot be looked up in one.
  if (isPlainMap(object)) throw runtimeError(`cannot fetch ${key} from map`);
  const items: ArrayLike<unknown> | undefined = Array.isArray(object) ? object : typeof object === 'string' ? utf8Bytes(object) : undefined;
  // A number or a bool has no elements: expr-lang cannot fetch from it.
  if (items === undefined && typeof object !== 'object') throw runtimeError(`cannot fetch ${key} from ${typeName(object)}`);
  if (items === undefined) return undefined;
  const index = key < 0 ? items.length + key : key;
  if (index < 0 || index >= items.length) throw runtimeError(`index out of range: ${index} (array length is ${items.length})`);
  return Array.isArray(object) ? ownValue(object, String(index)) : items[index];
}

/** expr-lang's `get(from, key)`: like `from[key]`, but nil wherever the access would fail. */
export function getOrNil(object: unknown, key: unknown): unknown {
  try {
    return endChain(getMember(object, key));
  } catch {
    return undefined;
  }
}

/** An own data property; accessors and functions are never invoked nor returned. */
function ownValue(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  const value: unknown = descriptor?.value;
  return typeof value === 'function' ? undefined : value;
}

/** `object.k1?.k2…` with constant keys, compiled into one call; `optional[i]` when key i was written `?.`. */
export function getPath(object: unknown, keys: readonly (string | number)[], optional: readonly boolean[] = []): unknown {
  let value = object;
  for (let i = 0; i < keys.length; i++) value = getMember(value, keys[i], optional[i] === true);
  return value;
}

/**
 * `a[from:to]` on arrays and strings (by bytes, as Go; a cut inside a character decodes as U+FFFD): missing
 * bounds are the ends, negative ones count from the end, out-of-range ones are clamped.
 */
export function slice(object: unknown, from: unknown, to: unknown): unknown {
  if (object === CHAIN_ENDED) return CHAIN_ENDED;
  if (isNil(object)) throw runtimeError('cannot slice <nil>');
  const items: { readonly length: number; slice(start: number, end: number): unknown } | undefined = Array.isArray(object) ? object : typeof object === 'string' ? Buffer.from(object, 'utf8') : undefined;
  if (items === undefined) throw runtimeError(`cannot slice a ${typeof object === 'object' ? 'map' : typeof object}`);
  const bound = (value: unknown, fallback: number): number => {
    if (isNil(value)) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw runtimeError('slice bounds must be integers');
    return Math.min(Math.max(value < 0 ? items.length + value : value, 0), items.length);
  };
  const start = bound(from, 0);
  const end = Math.max(bound(to, items.length), start);
  const part = items.slice(start, end);
  return part instanceof Buffer ? part.toString('utf8') : part;
}

/** A null-prototype map built by a map literal, so a `__proto__` key is just a key. */
export function makeMap(...pairs: unknown[]): Record<string, unknown> {
  const map = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const key = pairs[i];
    if (typeof key !== 'string' && typeof key !== 'number') throw runtimeError('map keys must be strings or numbers');
    Object.defineProperty(map, String(key), { value: pairs[i + 1], enumerable: true, writable: true, configurable: true });
  }
  return map;
}
