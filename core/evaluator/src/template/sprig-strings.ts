import { GoDuration, GoTime, replaceAll } from '../host/index.ts';
import { goQuote, goSprint } from './go-format.ts';
import { checkGeneratedLength, type FunctionTable, type TemplateFunction } from './function-types.ts';
import { FunctionError } from './template-errors.ts';
import { byteSlice, deleteSpace, GO_SPACE, mapCase, trimSpace, utf8Length } from './utf8-text.ts';

/** sprig's string functions, with sprig's argument order (the string operated on comes last). */

/** sprig's strval: strings as they are, Stringers through String, the rest as `%v`. */
export function strval(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof GoTime || value instanceof GoDuration) return value.String();
  return goSprint(value);
}

/** sprig's strslice, for join: a list's non-nil elements as strings; any other value as a one-element list. */
function strslice(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(strval);
  return value === null || value === undefined ? [] : [strval(value)];
}

/** strings.Split: an empty separator splits into characters. */
export function goSplit(text: string, separator: string): string[] {
  return separator === '' ? Array.from(text) : text.split(separator);
}

function isTitleSeparator(ch: string): boolean {
  if (ch <= '\x7f') return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return GO_SPACE.test(ch);
}

/** strings.Title: the first letter of each word upper-cased. */
function title(text: string): string {
  let out = '';
  let previous = ' ';
  for (const ch of text) {
    out += isTitleSeparator(previous) ? mapCase(ch, true) : ch;
    previous = ch;
  }
  return out;
}

function repeat(count: number, text: string): string {
  if (count < 0) throw new FunctionError('strings: negative Repeat count');
  checkGeneratedLength(count * text.length);
  return text.repeat(count);
}

function checkBounds(low: number, high: number, size: number): void {
  if (low < 0 || high < low || high > size) throw new FunctionError(`slice bounds out of range [${low}:${high}] with length ${size}`);
}

function substr(start: number, end: number, text: string): string {
  const size = utf8Length(text);
  if (start < 0) {
    checkBounds(0, end, size);
    return byteSlice(text, 0, end);
  }
  if (end < 0 || end > size) {
    checkBounds(start, size, size);
    return byteSlice(text, start);
  }
  checkBounds(start, end, size);
  return byteSlice(text, start, end);
}

function trunc(count: number, text: string): string {
  const size = utf8Length(text);
  if (count < 0 && size + count > 0) return byteSlice(text, size + count);
  if (count >= 0 && size > count) return byteSlice(text, 0, count);
  return text;
}

function abbrev(width: number, text: string): string {
  if (width < 4 || utf8Length(text) <= width) return text;
  return `${byteSlice(text, 0, width - 3)}...`;
}

function indent(spaces: number, text: string): string {
  const pad = repeat(spaces, ' ');
  checkGeneratedLength(text.length + (text.split('\n').length - 1) * spaces);
  return pad + text.replaceAll('\n', `\n${pad}`);
}

/** strings.Trim: drop leading and trailing characters found in `cutset`. */
function trimAll(cutset: string, text: string): string {
  const cut = new Set(cutset);
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start] ?? '')) start++;
  while (end > start && cut.has(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}


function splitMap(separator: string, text: string): Record<string, string> {
  const map = Object.create(null) as Record<string, string>;
  goSplit(text, separator).forEach((part, i) => {
    map[`_${i}`] = part;
  });
  return map;
}

const s = (value: unknown): string => value as string;
// Declared apart: as a literal key, `toString` would take Object.prototype.toString's type.
const toStringFunction: TemplateFunction = { params: ['any'], fn: ([value]) => strval(value) };
const n = (value: unknown): number => value as number;

export const sprigStringFunctions: FunctionTable = {
  upper: { params: ['string'], fn: ([text]) => mapCase(s(text), true) },
  lower: { params: ['string'], fn: ([text]) => mapCase(s(text), false) },
  title: { params: ['string'], fn: ([text]) => title(s(text)) },
  trim: { params: ['string'], fn: ([text]) => trimSpace(s(text)) },
  trimAll: { params: ['string', 'string'], fn: ([cutset, text]) => trimAll(s(cutset), s(text)) },
  trimPrefix: { params: ['string', 'string'], fn: ([prefix, text]) => (s(text).startsWith(s(prefix)) ? s(text).slice(s(prefix).length) : s(text)) },
  trimSuffix: { params: ['string', 'string'], fn: ([suffix, text]) => (s(suffix) !== '' && s(text).endsWith(s(suffix)) ? s(text).slice(0, -s(suffix).length) : s(text)) },
  trunc: { params: ['int', 'string'], fn: ([count, text]) => trunc(n(count), s(text)) },
  abbrev: { params: ['int', 'string'], fn: ([width, text]) => abbrev(n(width), s(text)) },
  substr: { params: ['int', 'int', 'string'], fn: ([start, end, text]) => substr(n(start), n(end), s(text)) },
  replace: { params: ['string', 'string', 'string'], fn: ([old, replacement, text]) => replaceAll(s(text), s(old), s(replacement)) },
  contains: { params: ['string', 'string'], fn: ([part, text]) => s(text).includes(s(part)) },
  hasPrefix: { params: ['string', 'string'], fn: ([prefix, text]) => s(text).startsWith(s(prefix)) },
  hasSuffix: { params: ['string', 'string'], fn: ([suffix, text]) => s(text).endsWith(s(suffix)) },
  repeat: { params: ['int', 'string'], fn: ([count, text]) => repeat(n(count), s(text)) },
  nospace: { params: ['string'], fn: ([text]) => deleteSpace(s(text)) },
  indent: { params: ['int', 'string'], fn: ([spaces, text]) => indent(n(spaces), s(text)) },
  nindent: { params: ['int', 'string'], fn: ([spaces, text]) => `\n${indent(n(spaces), s(text))}` },
  split: { params: ['string', 'string'], fn: ([separator, text]) => splitMap(s(separator), s(text)) },
  splitList: { params: ['string', 'string'], fn: ([separator, text]) => goSplit(s(text), s(separator)) },
  join: { params: ['string', 'any'], fn: ([separator, list]) => strslice(list).join(s(separator)) },
  quote: { params: [], variadic: 'any', fn: (args) => args.filter((a) => a !== null).map((a) => goQuote(strval(a))).join(' ') },
  squote: { params: [], variadic: 'any', fn: (args) => args.filter((a) => a !== null).map((a) => `'${strval(a)}'`).join(' ') },
  cat: { params: [], variadic: 'any', fn: (args) => args.filter((a) => a !== null).map(goSprint).join(' ') },
  toString: toStringFunction,
};
