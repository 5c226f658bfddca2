import { GoDuration, GoTime } from '../host/index.ts';
import { goSprintMany } from './go-format.ts';
import { goSprintf } from './go-printf.ts';
import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';
import { compareGoStrings, goTypeName, isCallable, isGoMap, isInteger, isTrue, mapIndex } from './template-values.ts';
import { sliceList } from './sprig-collections.ts';
import { utf8Bytes, utf8Length } from './utf8-text.ts';
import { queryEscape } from '../host/query-escape.ts';

/** Go text/template's predefined functions (`slice` is sprig's, which replaces Go's in Argo). */

type Kind = 'nil' | 'bool' | 'number' | 'string' | 'time' | 'other';

function basicKind(value: unknown): Kind {
  if (value === undefined || value === null) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (value instanceof GoDuration) return 'number';
      if (value instanceof GoTime) return 'time';
      return 'other';
  }
}

function numeric(value: unknown): number {
  return value instanceof GoDuration ? value.Nanoseconds() : (value as number);
}

/** Go's `eq` for two values: basic kinds compare by value; different kinds are an error unless one is nil. */
function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (ka === 'nil' || kb === 'nil') return false;
    throw new FunctionError('incompatible types for comparison');
  }
  switch (ka) {
    case 'nil':
      return true;
    case 'number':
      return numeric(a) === numeric(b);
    case 'time':
      return (a as GoTime).Equal(b as GoTime);
    case 'other':
      throw new FunctionError(`non-comparable type ${goTypeName(a)}`);
    default:
      return a === b;
  }
}

function less(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== 'number' && ka !== 'string') throw new FunctionError('invalid type for comparison');
  if (kb !== 'number' && kb !== 'string') throw new FunctionError('invalid type for comparison');
  if (ka !== kb) throw new FunctionError('incompatible types for comparison');
  return ka === 'string' ? compareGoStrings(a as string, b as string) < 0 : numeric(a) < numeric(b);
}

function length(value: unknown): number {
  if (value === undefined || value === null) throw new FunctionError('len of nil pointer');
  if (typeof value === 'string') return utf8Length(value);
  if (Array.isArray(value)) return value.length;
  if (isGoMap(value)) return Object.keys(value).length;
  throw new FunctionError(`len of type ${goTypeName(value)}`);
}

function index(item: unknown, keys: readonly unknown[]): unknown {
  if (item === undefined || item === null) throw new FunctionError('index of untyped nil');
  let current: unknown = item;
  for (const key of keys) {
    if (current === undefined || current === null) throw new FunctionError('index of nil pointer');
    if (Array.isArray(current) || typeof current === 'string') {
      if (!isInteger(key)) throw new FunctionError(`cannot index slice/array with type ${goTypeName(key)}`);
      const bytes = typeof current === 'string' ? utf8Bytes(current) : undefined;
      const size = bytes === undefined ? (current as unknown[]).length : bytes.length;
      if (key < 0 || key >= size) throw new FunctionError(`index out of range: ${key}`);
      current = bytes === undefined ? (current as unknown[])[key] : bytes[key];
    } else if (isGoMap(current)) {
      if (typeof key !== 'string') throw new FunctionError(`value has type ${goTypeName(key)}; should be string`);
      current = mapIndex(current, key);
    } else {
      throw new FunctionError(`can't index item of type ${goTypeName(current)}`);
    }
  }
  return current;
}

/** Go's evalArgs for html/js/urlquery: one string as is, else the operands printed, nil as `<no value>`. */
function argsText(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return goSprintMany(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' };
const JS_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};
const JS_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

function jsEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const escape = JS_ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (ch < ' ' || !JS_PRINTABLE.test(ch)) out += `\\u${(ch.codePointAt(0) ?? 0xfffd).toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Go's `and` / `or`: arguments evaluated left to right, stopping at the first whose truth is `stopAt`; that argument (or the last) is the result. */
function shortCircuit(stopAt: boolean): FunctionTable[string] {
  return {
    params: ['raw'],
    variadic: 'raw',
    lazy: true,
    fn: (thunks) => {
      let value: unknown;
      for (const thunk of thunks as ReadonlyArray<() => unknown>) {
        value = thunk();
        if (isTrue(value) === stopAt) return value;
      }
      return value;
    },
  };
}

export const builtinFunctions: FunctionTable = {
  and: shortCircuit(false),
  or: shortCircuit(true),
  not: { params: ['raw'], fn: ([value]) => !isTrue(value) },
  len: { params: ['raw'], fn: ([value]) => length(value) },
  index: { params: ['raw'], variadic: 'raw', fn: ([item, ...keys]) => index(item, keys) },
  slice: { params: ['any'], variadic: 'any', fn: ([list, ...indices]) => sliceList(list, indices) },
  print: { params: [], variadic: 'any', fn: (args) => goSprintMany(args) },
  println: { params: [], variadic: 'any', fn: (args) => `${args.map((a) => goSprintMany([a])).join(' ')}\n` },
  printf: { params: ['string'], variadic: 'any', fn: ([format, ...args]) => goSprintf(format as string, args) },
  html: { params: [], variadic: 'raw', fn: (args) => argsText(args).replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c] ?? c) },
  js: { params: [], variadic: 'raw', fn: (args) => jsEscape(argsText(args)) },
  urlquery: { params: [], variadic: 'raw', fn: (args) => queryEscape(argsText(args)) },
  call: {
    params: ['raw'],
    variadic: 'raw',
    fn: ([fn, ...args]) => {
      if (fn === undefined || fn === null) throw new FunctionError('call of nil');
      if (typeof fn !== 'function') throw new FunctionError(`non-function of type ${goTypeName(fn)}`);
      // Only functions the evaluator put into a host namespace; nothing found in resource data.
      if (!isCallable(fn)) throw new FunctionError('call of a function that is not a host function');
      return Reflect.apply(fn, undefined, args.map((a) => (a === undefined ? null : a)));
    },
  },
  eq: {
    params: ['raw'],
    variadic: 'raw',
    fn: ([first, ...others]) => {
      if (others.length === 0) throw new FunctionError('missing argument for comparison');
      return others.some((other) => equal(first, other));
    },
  },
  ne: { params: ['raw', 'raw'], fn: ([a, b]) => !equal(a, b) },
  lt: { params: ['raw', 'raw'], fn: ([a, b]) => less(a, b) },
  le: { params: ['raw', 'raw'], fn: ([a, b]) => less(a, b) || equal(a, b) },
  gt: { params: ['raw', 'raw'], fn: ([a, b]) => !(less(a, b) || equal(a, b)) },
  ge: { params: ['raw', 'raw'], fn: ([a, b]) => !less(a, b) },
};
