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
 * `object[key]` the nil-safe way: own data properties of maps, in-range integer indexes of arrays and
 * strings (negative counts from the end). Everything else — missing keys, prototype members, functions,
 * fields of strings, arrays and host values — is nil.
 */
export function getMember(object: unknown, key: unknown): unknown {
  if (typeof key === 'string') {
    if (!isPlainMap(object) || BLOCKED_NAMES.has(key)) return undefined;
    return ownValue(object, key);
  }
  if (typeof key !== 'number' || !Number.isInteger(key)) return undefined;
  if (Array.isArray(object)) return ownValue(object, String(key < 0 ? object.length + key : key));
  if (typeof object === 'string') {
    const chars = Array.from(object);
    return chars[key < 0 ? chars.length + key : key];
  }
  return undefined;
}

/** An own data property; accessors and functions are never invoked nor returned. */
function ownValue(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  const value: unknown = descriptor?.value;
  return typeof value === 'function' ? undefined : value;
}

/** `object.k1.k2…` with constant keys, compiled into one call. */
export function getPath(object: unknown, keys: readonly (string | number)[]): unknown {
  let value = object;
  for (const key of keys) {
    if (value === null || value === undefined) return undefined;
    value = getMember(value, key);
  }
  return value;
}

/** `a[from:to]` on arrays and strings: missing bounds are the ends, negative ones count from the end, out-of-range ones are clamped. */
export function slice(object: unknown, from: unknown, to: unknown): unknown {
  if (isNil(object)) return undefined;
  const items: readonly unknown[] | undefined = Array.isArray(object) ? object : typeof object === 'string' ? Array.from(object) : undefined;
  if (items === undefined) throw runtimeError(`cannot slice a ${typeof object === 'object' ? 'map' : typeof object}`);
  const bound = (value: unknown, fallback: number): number => {
    if (isNil(value)) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw runtimeError('slice bounds must be integers');
    return Math.min(Math.max(value < 0 ? items.length + value : value, 0), items.length);
  };
  const start = bound(from, 0);
  const end = Math.max(bound(to, items.length), start);
  return typeof object === 'string' ? items.slice(start, end).join('') : items.slice(start, end);
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
