import type { Operand } from './go-ast.ts';
import type { Token } from './go-lexer.ts';
import type { TemplateErrors } from './template-errors.ts';

/**
 * Go literal syntax inside actions: interpreted strings (`"a\n"`), character constants (`'a'`) and numbers
 * (`42`, `-1.5e3`, `0x1F`, `0o17`, `017`, `1_000`). Each returns undefined on bad syntax; the parser reports it.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/**
 * The bytes a Go interpreted literal denotes. `\x` and octal escapes are raw bytes, so `"\xc3\xa9"` is `é`
 * exactly as in Go; bytes that are not UTF-8 come out as U+FFFD.
 */
function unescape(body: string, quote: '"' | "'"): string | undefined {
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const backslash = body.indexOf('\\', i);
    const plainEnd = backslash === -1 ? body.length : backslash;
    if (plainEnd > i) bytes.push(...utf8.encode(body.slice(i, plainEnd)));
    if (backslash === -1) break;
    const c = body[backslash + 1];
    if (c === undefined) return undefined;
    i = backslash + 2;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (c === quote) {
      bytes.push(quote.charCodeAt(0));
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const width = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = body.slice(i, i + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
      i += width;
      const value = Number.parseInt(hex, 16);
      if (c === 'x') {
        bytes.push(value);
      } else {
        if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return undefined;
        bytes.push(...utf8.encode(String.fromCodePoint(value)));
      }
    } else if (c >= '0' && c <= '7') {
      const octal = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(octal)) return undefined;
      const value = Number.parseInt(octal, 8);
      if (value > 255) return undefined;
      bytes.push(value);
      i += 2;
    } else {
      return undefined;
    }
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

/** The value of a `"…"` literal (quotes included in `text`). */
export function unquoteString(text: string): string | undefined {
  return unescape(text.slice(1, -1), '"');
}

/** The value of a raw `` `…` `` literal: verbatim, less carriage returns, as Go does. */
export function unquoteRaw(text: string): string {
  return text.slice(1, -1).replaceAll('\r', '');
}

/** The code point of a `'…'` character constant. */
export function unquoteChar(text: string): number | undefined {
  const value = unescape(text.slice(1, -1), "'");
  if (value === undefined) return undefined;
  const points = Array.from(value);
  if (points.length !== 1) {
    // A lone byte escape such as '\xff' is one (non-UTF-8) byte: its value is the byte.
    const byte = /^\\(x[0-9a-fA-F]{2}|[0-7]{3})$/.exec(text.slice(1, -1));
    return byte?.[1] === undefined ? undefined : Number.parseInt(byte[1].startsWith('x') ? byte[1].slice(1) : byte[1], byte[1].startsWith('x') ? 16 : 8);
  }
  return points[0]?.codePointAt(0);
}

const INT_PATTERNS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*$/, 16],
  [/^0[oO]_?[0-7]+(?:_[0-7]+)*$/, 8],
  [/^0[bB]_?[01]+(?:_[01]+)*$/, 2],
  [/^0_?[0-7]+(?:_[0-7]+)*$/, 8],
  [/^(?:0|[1-9](?:_?[0-9])*)$/, 10],
];
const DECIMAL_FLOAT = /^(?:[0-9](?:_?[0-9])*\.(?:[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*(?=[eE]))(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;
const MAX_INT64 = 2n ** 63n;

export type NumberLiteral = { readonly value: number } | { readonly error: 'syntax' | 'overflow' | 'unsupported' };

/** A Go number literal: an int64 or a float64 constant. Imaginary and hex-float literals are unsupported. */
export function parseNumber(text: string): NumberLiteral {
  let sign = 1;
  let body = text;
  if (body.startsWith('+') || body.startsWith('-')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  if (body.endsWith('i') || (/^0[xX]/.test(body) && /[pP.]/.test(body))) return { error: 'unsupported' };
  for (const [pattern, base] of INT_PATTERNS) {
    if (!pattern.test(body)) continue;
    let digits = body.replaceAll('_', '');
    if (base !== 10) digits = digits.replace(/^0[xXoObB]?/, '') || '0';
    const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
    const big = BigInt(prefix + digits);
    if (big >= MAX_INT64 + (sign < 0 ? 1n : 0n)) return { error: 'overflow' };
    return { value: sign * Number(big) };
  }
  if (!DECIMAL_FLOAT.test(body)) return { error: 'syntax' };
  const value = Number(body.replaceAll('_', ''));
  return Number.isFinite(value) ? { value: sign * value } : { error: 'overflow' };
}

/** strconv.ParseInt(text, 0, 64): an optional sign, then Go integer syntax; undefined when that fails. */
export function parseGoInteger(text: string): number | undefined {
  const parsed = /^[+-]?[0-9]/.test(text) ? parseNumber(text) : undefined;
  if (parsed === undefined || !('value' in parsed)) return undefined;
  return /[.eE]/.test(text.replace(/^[+-]?0[xX].*/, '')) ? undefined : parsed.value;
}

/** The operand a string, raw string, character or number token stands for. */
export function literalOperand(token: Token, errors: TemplateErrors): Operand {
  const base = { pos: token.pos, text: token.value };
  if (token.type === 'string' || token.type === 'raw') {
    const value = token.type === 'raw' ? unquoteRaw(token.value) : unquoteString(token.value);
    if (value === undefined) throw errors.syntax(`invalid syntax in string ${token.value}`, token.pos);
    return { kind: 'string', ...base, value };
  }
  if (token.type === 'char') {
    const value = unquoteChar(token.value);
    if (value === undefined) throw errors.syntax(`malformed character constant: ${token.value}`, token.pos);
    return { kind: 'number', ...base, value };
  }
  const parsed = parseNumber(token.value);
  if ('value' in parsed) return { kind: 'number', ...base, value: parsed.value };
  if (parsed.error === 'unsupported') throw errors.unsupported(`number ${token.value}: complex and hexadecimal floating-point constants are not supported`, token.pos);
  throw errors.syntax(parsed.error === 'overflow' ? `number out of range: ${token.value}` : `illegal number syntax: ${JSON.stringify(token.value)}`, token.pos);
}
