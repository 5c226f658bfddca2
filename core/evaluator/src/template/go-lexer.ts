import type { TemplateErrors } from './template-errors.ts';

/**
 * Splits a Go text/template into text and action tokens, as Go's text/template/parse lexer does:
 * `{{- ` and ` -}}` trim the whitespace next to them, `{{/* … *\/}}` comments vanish, and newlines are
 * allowed inside actions.
 */

export type TokenType =
  | 'text'
  | 'left'
  | 'right'
  | 'space'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'declare'
  | 'assign'
  | 'dot'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'string'
  | 'raw'
  | 'char'
  | 'number'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Source text, except for `text` (trimmed text) and `field` (the name, without the dot). */
  readonly value: string;
  readonly pos: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const SPACE = /[ \t\r\n]/;
const SPACES = /[ \t\r\n]+/y;
const TRAILING_SPACE = /[ \t\r\n]+$/;
const LEADING_SPACE = /^[ \t\r\n]+/;
const WORD = /[\p{L}\p{Nd}_]*/uy;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oObB][0-9_]+|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/y;
const ALPHANUMERIC = /[\p{L}\p{Nd}_]/u;

export function lexGoTemplate(source: string, errors: TemplateErrors): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let trimNext = false;

  const pushText = (text: string, at: number): void => {
    const value = trimNext ? text.replace(LEADING_SPACE, '') : text;
    trimNext = false;
    if (value !== '') tokens.push({ type: 'text', value, pos: at });
  };
  /** `}}` or ` -}}` at `at`: the length of the delimiter, or 0. */
  const rightDelimAt = (at: number): number => {
    if (source.startsWith('}}', at)) return 2;
    if (SPACE.test(source[at] ?? '') && source.startsWith('-}}', at + 1)) return 4;
    return 0;
  };

  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open === -1) {
      pushText(source.slice(pos), pos);
      break;
    }
    const trimLeft = source[open + 2] === '-' && SPACE.test(source[open + 3] ?? '');
    let text = source.slice(pos, open);
    if (trimLeft) text = text.replace(TRAILING_SPACE, '');
    pushText(text, pos);
    pos = open + (trimLeft ? 4 : 2);

    if (source.startsWith('/*', pos)) {
      const close = source.indexOf('*/', pos + 2);
      if (close === -1) throw errors.syntax('unclosed comment', open);
      const delim = rightDelimAt(close + 2);
      if (delim === 0) throw errors.syntax('comment ends before closing delimiter', open);
      trimNext = delim === 4;
      pos = close + 2 + delim;
      continue;
    }
    tokens.push({ type: 'left', value: source.slice(open, pos), pos: open });
    pos = lexAction(source, pos, tokens, errors, rightDelimAt);
    trimNext = tokens.at(-1)?.value.length === 4;
  }
  tokens.push({ type: 'eof', value: '', pos: source.length });
  return tokens;
}

/** Lexes one action from `start` (after `{{`); returns the position after its closing delimiter. */
function lexAction(source: string, start: number, tokens: Token[], errors: TemplateErrors, rightDelimAt: (at: number) => number): number {
  let pos = start;
  let parens = 0;
  const emit = (type: TokenType, end: number, value = source.slice(pos, end)): void => {
    tokens.push({ type, value, pos });
    pos = end;
  };
  /** Go allows a word to be followed only by these. */
  const checkTerminator = (): void => {
    const c = source[pos];
    if (c === undefined || SPACE.test(c) || '.,|:()'.includes(c) || rightDelimAt(pos) !== 0) return;
    throw errors.syntax(`bad character ${JSON.stringify(c)} after ${JSON.stringify(tokens.at(-1)?.value ?? '')}`, pos);
  };
  const word = (from: number): number => {
    WORD.lastIndex = from;
    WORD.exec(source);
    return WORD.lastIndex;
  };

  for (;;) {
    const delim = rightDelimAt(pos);
    if (delim !== 0) {
      if (parens > 0) throw errors.syntax('unclosed left paren', pos);
      emit('right', pos + delim);
      return pos;
    }
    const c = source[pos];
    if (c === undefined) throw errors.syntax('unclosed action', start - 2);
    if (SPACE.test(c)) {
      SPACES.lastIndex = pos;
      SPACES.exec(source);
      // The space before ` -}}` belongs to the delimiter.
      const end = rightDelimAt(SPACES.lastIndex - 1) === 4 ? SPACES.lastIndex - 1 : SPACES.lastIndex;
      if (end > pos) emit('space', end);
      continue;
    }
    switch (c) {
      case '|':
        emit('pipe', pos + 1);
        continue;
      case ',':
        emit('comma', pos + 1);
        continue;
      case '=':
        emit('assign', pos + 1);
        continue;
      case ':':
        if (source[pos + 1] !== '=') throw errors.syntax('expected :=', pos);
        emit('declare', pos + 2);
        continue;
      case '(':
        parens++;
        emit('lparen', pos + 1);
        continue;
      case ')':
        if (--parens < 0) throw errors.syntax('unexpected right paren', pos);
        emit('rparen', pos + 1);
        checkTerminator();
        continue;
      case '"':
      case "'": {
        let i = pos + 1;
        while (i < source.length && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
        if (source[i] !== c) throw errors.syntax(c === '"' ? 'unterminated quoted string' : 'unterminated character constant', pos);
        emit(c === '"' ? 'string' : 'char', i + 1);
        checkTerminator();
        continue;
      }
      case '`': {
        const close = source.indexOf('`', pos + 1);
        if (close === -1) throw errors.syntax('unterminated raw quoted string', pos);
        emit('raw', close + 1);
        checkTerminator();
        continue;
      }
      case '$': {
        emit('variable', word(pos + 1));
        checkTerminator();
        continue;
      }
      case '.':
        if (/[0-9]/.test(source[pos + 1] ?? '')) break;
        if (ALPHANUMERIC.test(source[pos + 1] ?? '')) {
          emit('field', word(pos + 1), source.slice(pos + 1, word(pos + 1)));
        } else {
          emit('dot', pos + 1);
        }
        checkTerminator();
        continue;
      default:
        if (ALPHANUMERIC.test(c) && !/[0-9]/.test(c)) {
          const end = word(pos);
          const name = source.slice(pos, end);
          emit(KEYWORDS.has(name) ? 'keyword' : name === 'true' || name === 'false' ? 'bool' : name === 'nil' ? 'nil' : 'identifier', end);
          checkTerminator();
          continue;
        }
    }
    if (c === '+' || c === '-' || c === '.' || /[0-9]/.test(c)) {
      NUMBER.lastIndex = pos;
      NUMBER.exec(source);
      let end = NUMBER.lastIndex;
      if (end === pos || (end === pos + 1 && !/[0-9]/.test(c))) throw errors.syntax(`bad number syntax: ${JSON.stringify(source.slice(pos, pos + 2))}`, pos);
      if (ALPHANUMERIC.test(source[end] ?? '')) {
        end = word(end);
        throw errors.syntax(`bad number syntax: ${JSON.stringify(source.slice(pos, end))}`, pos);
      }
      emit('number', end);
      checkTerminator();
      continue;
    }
    throw errors.syntax(`unrecognized character in action: ${JSON.stringify(c)}`, pos);
  }
}
