import type { ExpressionError } from '../errors.ts';
import { UNSUPPORTED } from './expr-grammar.ts';
import { tokenize, type Token } from './expr-lexer.ts';
import { syntaxError } from './syntax-error.ts';

/** The parser's position in the token stream, and the errors it reports at a token. */
export class TokenCursor {
  readonly source: string;
  readonly #tokens: Token[];
  #index = 0;

  constructor(source: string) {
    this.source = source;
    this.#tokens = tokenize(source);
  }

  get current(): Token {
    return this.peek(0);
  }

  /** The token `offset` ahead; the end stays the end. */
  peek(offset = 1): Token {
    return this.#tokens[Math.min(this.#index + offset, this.#tokens.length - 1)] as Token;
  }

  next(): Token {
    const token = this.current;
    if (this.#index < this.#tokens.length - 1) this.#index += 1;
    return token;
  }

  /** Whether `token` (the current one by default) is the operator or punctuation `value`. */
  is(value: string, token: Token = this.current): boolean {
    return token.kind === 'operator' && token.value === value;
  }

  expect(value: string): Token {
    if (!this.is(value)) throw this.unexpected(this.current);
    return this.next();
  }

  unexpected(token: Token): ExpressionError {
    if (token.kind === 'eof') return this.error(token, 'unexpected end of expression');
    if (token.kind === 'operator' && UNSUPPORTED.has(token.value)) return this.error(token, `unsupported construct ${JSON.stringify(token.value)}`);
    return this.error(token, `unexpected token ${JSON.stringify(token.value)}`);
  }

  error(at: { readonly pos: number }, message: string): ExpressionError {
    return syntaxError(this.source, at.pos, message);
  }
}
