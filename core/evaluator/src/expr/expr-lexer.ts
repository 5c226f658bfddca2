import { syntaxError } from './syntax-error.ts';

export type TokenKind = 'number' | 'string' | 'name' | 'operator' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Operator or name text; the decoded value of a string; the source text of a number. */
  readonly value: string;
  /** 0-based offset in the source. */
  readonly pos: number;
  readonly number?: number;
}

/** Words that are operators in expr-lang, never variable names. */
export const WORD_OPERATORS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else']);

// Longest first, so `**` wins over `*` and `?.` over `?`.
const SYMBOLS = ['...', '??', '?.', '..', '==', '!=', '<=', '>=', '&&', '||', '**', '::', '#', '.', '?', ':', ',', '(', ')', '[', ']', '{', '}', '!', '<', '>', '+', '-', '*', '/', '%', '^', '|', '=', ';'];
const NAME = /[\p{L}_$][\p{L}\p{N}_$]*/uy;
const NUMBER = /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y;
const SPACE = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\//y;

/** Splits expr-lang source into tokens; comments (`//`, `/* *\/`) and white space are dropped. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    return re.exec(source)?.[0];
  };
  while (pos < source.length) {
    const space = sticky(SPACE);
    if (space !== undefined) {
      pos += space.length;
      continue;
    }
    if (source.startsWith('/*', pos)) throw syntaxError(source, pos, 'unterminated comment');
    const ch = source[pos] ?? '';
    const dotNumber = ch === '.' && /\d/.test(source[pos + 1] ?? '') && !/[\p{L}\p{N}_$)\]]/u.test(source[pos - 1] ?? '');
    if ((ch >= '0' && ch <= '9') || dotNumber) {
      const text = sticky(NUMBER) ?? ch;
      tokens.push({ kind: 'number', value: text, pos, number: parseNumber(source, pos, text) });
      pos += text.length;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      const { value, end } = readString(source, pos);
      tokens.push({ kind: 'string', value, pos });
      pos = end;
      continue;
    }
    const name = sticky(NAME);
    if (name !== undefined) {
      tokens.push({ kind: WORD_OPERATORS.has(name) ? 'operator' : 'name', value: name, pos });
      pos += name.length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, pos));
    if (symbol === undefined) throw syntaxError(source, pos, `unexpected character ${JSON.stringify(String.fromCodePoint(source.codePointAt(pos) ?? 0))}`);
    // `a ?.5 : b` is a ternary with a number, not optional chaining.
    if (symbol === '?.' && /\d/.test(source[pos + 2] ?? '')) {
      tokens.push({ kind: 'operator', value: '?', pos });
      pos += 1;
      continue;
    }
    tokens.push({ kind: 'operator', value: symbol, pos });
    pos += symbol.length;
  }
  tokens.push({ kind: 'eof', value: '', pos: source.length });
  return tokens;
}

function parseNumber(source: string, pos: number, text: string): number {
  const digits = text.replace(/_/g, '');
  const prefix = digits.slice(0, 2).toLowerCase();
  const radix = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : 10;
  const value = radix === 10 ? Number(digits) : Number.parseInt(digits.slice(2), radix);
  if (!Number.isFinite(value)) throw syntaxError(source, pos, `invalid number ${JSON.stringify(text)}`);
  return value;
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['a', '\x07'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t'], ['v', '\v'], ['\\', '\\'], ["'", "'"], ['"', '"'], ['`', '`'],
]);

/** Go-style escapes: `\n \t \\ \' \"`, `\xFF`, `\u1234`, `\U0001F600`, octal `\101`. Backquoted strings are raw. */
function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let pos = start + 1;
  while (pos < source.length) {
    const ch = source[pos] ?? '';
    if (ch === quote) return { value, end: pos + 1 };
    if (ch !== '\\' || quote === '`') {
      value += ch;
      pos += 1;
      continue;
    }
    const next = source[pos + 1] ?? '';
    const simple = ESCAPES.get(next);
    if (simple !== undefined) {
      value += simple;
      pos += 2;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    const code = hexLength > 0 ? source.slice(pos + 2, pos + 2 + hexLength) : source.slice(pos + 1, pos + 4);
    const valid = hexLength > 0 ? new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(code) : /^[0-7]{3}$/.test(code);
    const point = valid ? Number.parseInt(code, hexLength > 0 ? 16 : 8) : Number.NaN;
    if (!valid || point > 0x10ffff) throw syntaxError(source, pos, `invalid escape sequence in string`);
    value += String.fromCodePoint(point);
    pos += 1 + (hexLength > 0 ? 1 + hexLength : 3);
  }
  throw syntaxError(source, start, 'unterminated string');
}
