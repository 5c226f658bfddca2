import { GoDuration, GoTime, isHostNamespace } from '../host/index.ts';
import { GoSemver } from './sprig-semver.ts';

/**
 * How template values map onto Go's: `undefined` is Go's "no value" (a missing map key), `null` is nil,
 * plain and null-prototype objects are `map[string]interface{}`, arrays are `[]interface{}`, integral
 * numbers are int64 and the others float64 (as Kubernetes decodes JSON), GoTime and GoDuration are
 * `time.Time` and `time.Duration`. Anything else is opaque: it can be passed around but not looked into.
 */

export type GoMap = Readonly<Record<string, unknown>>;

export function isGoMap(value: unknown): value is GoMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isHostValue(value: unknown): value is GoTime | GoDuration {
  return value instanceof GoTime || value instanceof GoDuration;
}

/** An integral number within int64, which Go holds as int64; any other number is a float64. */
export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 63;
}

/** The Go type a value would have in Argo, for error messages. */
export function goTypeName(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      // Integral data is int64 once Kubernetes decodes it.
      return isInteger(value) ? 'int64' : 'float64';
    case 'function':
      return 'func';
    default:
      if (Array.isArray(value)) return '[]interface {}';
      if (value instanceof GoTime) return 'time.Time';
      if (value instanceof GoDuration) return 'time.Duration';
      if (value instanceof GoSemver) return '*semver.Version';
      return isGoMap(value) ? 'map[string]interface {}' : 'object';
  }
}

/** Go's truth: false, 0, nil, no value and empty strings, slices and maps are false; structs are true. */
export function isTrue(value: unknown): boolean {
  switch (typeof value) {
    case 'undefined':
      return false;
    case 'boolean':
      return value;
    case 'number':
      return value !== 0;
    case 'string':
      return value.length > 0;
    case 'function':
      return true;
    default:
      if (value === null) return false;
      if (Array.isArray(value)) return value.length > 0;
      if (value instanceof GoDuration) return value.Nanoseconds() !== 0;
      if (isGoMap(value)) {
        for (const key in value) if (Object.hasOwn(value, key)) return true;
        return false;
      }
      return true;
  }
}

/** Functions read from a host namespace (`time`, `strings`); only these may be given to `call`. */
const callable = new WeakSet<object>();

export function isCallable(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === 'function' && callable.has(value);
}

const registered = new WeakSet<object>();

/**
 * Marks the functions of the host namespaces among `vars`' values callable, for native handlebars, whose
 * lookups do not pass through `mapIndex`.
 */
export function registerHostNamespaces(vars: GoMap): void {
  for (const key of Object.keys(vars)) {
    const value = vars[key];
    if (!isHostNamespace(value) || registered.has(value)) continue;
    registered.add(value);
    for (const name of Object.keys(value)) {
      const member = value[name];
      if (typeof member === 'function') callable.add(member);
    }
  }
}

/** A map key: own properties only, so nothing on a prototype is ever reached. */
export function mapIndex(map: GoMap, key: string): unknown {
  if (!Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  if (typeof value === 'function' && isHostNamespace(map)) callable.add(value);
  return value;
}

/**
 * Go method names of host values: exported (upper-case) functions of the class itself, so `constructor`,
 * `valueOf` and everything on Object.prototype are out of reach.
 */
function hostMethod(value: GoTime | GoDuration | GoSemver, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (!/^[A-Z]/.test(name)) return undefined;
  const proto: unknown = value instanceof GoTime ? GoTime.prototype : value instanceof GoDuration ? GoDuration.prototype : GoSemver.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  return typeof descriptor?.value === 'function' ? (descriptor.value as (...args: unknown[]) => unknown) : undefined;
}

export type FieldResult = { readonly value: unknown } | { readonly error: string };

/**
 * `.name` on a value, as Go evaluates a field of `interface{}` data: a map key, a method of a host value
 * (called with `args`), no value on no value; anything else is an error.
 */
export function evalField(receiver: unknown, name: string, args: readonly unknown[] | undefined): FieldResult {
  if (receiver === undefined) return { value: undefined };
  if (receiver instanceof GoTime || receiver instanceof GoDuration || receiver instanceof GoSemver) {
    const method = hostMethod(receiver, name);
    if (method === undefined) return { error: `can't evaluate field ${name} in type ${goTypeName(receiver)}` };
    return { value: Reflect.apply(method, receiver, (args ?? []).map((a) => (a === undefined ? null : a))) };
  }
  if (receiver === null) return { error: `nil pointer evaluating interface {}.${name}` };
  if (isGoMap(receiver)) {
    if (args !== undefined) return { error: `${name} is not a method but has arguments` };
    return { value: mapIndex(receiver, name) };
  }
  return { error: `can't evaluate field ${name} in type ${goTypeName(receiver)}` };
}

/** Compares strings by code point, which is Go's byte order of their UTF-8 encodings. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A map's keys in Go's order (sorted), as `range` and fmt visit them. */
export function sortedKeys(map: GoMap): string[] {
  const keys = Object.keys(map);
  return keys.length < 2 ? keys : keys.sort(compareGoStrings);
}
