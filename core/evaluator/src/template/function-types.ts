import type { HostClock } from '../host/index.ts';
import { FunctionError } from './template-errors.ts';
import { goTypeName, isGoMap, isInteger } from './template-values.ts';

/**
 * The Go parameter type of a template function, which decides how an argument is checked, as Go's
 * text/template checks arguments against a function's signature:
 * - `any` (`interface{}`): anything; no value arrives as nil (`null`).
 * - `raw` (`reflect.Value`, Go's builtins): as is, so no value stays `undefined`.
 * - `string`, `int`, `number`, `bool`, `map`: that type or an error. Herald takes any integral number as
 *   `int`, where Go would refuse an int64 from the data.
 */
export type ParamKind = 'any' | 'raw' | 'string' | 'int' | 'number' | 'bool' | 'map';

export interface CallContext {
  readonly clock: HostClock;
}

export interface TemplateFunction {
  readonly params: readonly ParamKind[];
  /** The kind of any further arguments; without it the function takes exactly `params`. */
  readonly variadic?: ParamKind;
  /** The index of a parameter that is a Go regular expression: a literal there is checked at compile time. */
  readonly pattern?: number;
  /** `and`/`or`: arguments arrive as thunks, evaluated left to right only as far as needed. */
  readonly lazy?: boolean;
  readonly fn: (args: readonly unknown[], context: CallContext) => unknown;
}

export type FunctionTable = Readonly<Record<string, TemplateFunction>>;

const GO_TYPES: Readonly<Record<Exclude<ParamKind, 'any' | 'raw'>, string>> = {
  string: 'string',
  int: 'int',
  number: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
};

function fits(kind: Exclude<ParamKind, 'any' | 'raw'>, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'map':
      return isGoMap(value);
  }
}

export function convertArg(kind: ParamKind, value: unknown): unknown {
  if (kind === 'raw') return value;
  if (kind === 'any') return value === undefined ? null : value;
  if (fits(kind, value)) return value;
  if (value === undefined || value === null) throw new FunctionError(`invalid value; expected ${GO_TYPES[kind]}`);
  throw new FunctionError(`wrong type for value; expected ${GO_TYPES[kind]}; got ${goTypeName(value)}`);
}

export function checkArgCount(name: string, definition: TemplateFunction, count: number): void {
  const want = definition.params.length;
  if (definition.variadic === undefined ? count !== want : count < want) {
    const atLeast = definition.variadic === undefined ? '' : 'at least ';
    throw new FunctionError(`wrong number of args for ${name}: want ${atLeast}${want} got ${count}`);
  }
}

export function kindAt(definition: TemplateFunction, index: number): ParamKind {
  return definition.params[index] ?? definition.variadic ?? 'any';
}

/** Caps what one function may build (`repeat`, `until`, padding), so a template cannot exhaust memory. */
export const MAX_GENERATED_LENGTH = 1_000_000;

export function checkGeneratedLength(length: number): void {
  if (length > MAX_GENERATED_LENGTH) throw new FunctionError(`result too large (${length} > ${MAX_GENERATED_LENGTH})`);
}
