import type { Token } from './go-lexer.ts';
import type { TemplateErrors } from './template-errors.ts';

/** A position in the lexed tokens of a Go template; the last token is always `eof`. */
export class TokenCursor {
  readonly #tokens: readonly Token[];
  readonly #errors: TemplateErrors;
  /** Index of the next token; the parser saves and restores it to look ahead. */
  index = 0;

  constructor(tokens: readonly Token[], errors: TemplateErrors) {
    this.#tokens = tokens;
    this.#errors = errors;
  }

  peek(): Token {
    const token = this.#tokens[this.index] ?? this.#tokens.at(-1);
    if (token === undefined) throw new Error('token stream without eof');
    return token;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.index++;
    return token;
  }

  /** The token just consumed. */
  previous(): Token | undefined {
    return this.#tokens[this.index - 1];
  }

  skipSpace(): Token {
    while (this.peek().type === 'space') this.index++;
    return this.peek();
  }

  expectRight(context: string): void {
    const token = this.skipSpace();
    if (token.type !== 'right') throw this.unexpected(token, context);
    this.next();
  }

  unexpected(token: Token, context: string): Error {
    if (token.type === 'eof') return this.#errors.syntax('unexpected EOF', token.pos);
    return this.#errors.syntax(`unexpected ${JSON.stringify(token.value)} in ${context}`, token.pos);
  }
}
