import type { ExprNode } from './expr-ast.ts';
import type { Token } from './expr-lexer.ts';
import { PREDICATE_BUILTINS } from './predicate-builtins.ts';
import { BINARY, COMPARISON, NEGATABLE, UNARY } from './expr-grammar.ts';
import { TokenCursor } from './token-cursor.ts';

const MAX_DEPTH = 100;

/** Parses expr-lang source; `undefined` when it holds no tokens (empty, blank or only comments). */
export function parseExpression(source: string): ExprNode | undefined {
  const parser = new Parser(source);
  return parser.parse();
}

class Parser {
  readonly #t: TokenCursor;
  #depth = 0;
  #predicateDepth = 0;

  constructor(source: string) {
    this.#t = new TokenCursor(source);
  }

  parse(): ExprNode | undefined {
    if (this.#t.current.kind === 'eof') return undefined;
    const node = this.#sequence();
    const rest = this.#t.current;
    if (rest.kind !== 'eof') throw this.#t.unexpected(rest);
    return node;
  }

  /** `a; b; c` (a trailing `;` allowed at the end of the source), where expr-lang takes one: the whole source, `( … )`, a `let` body, an `if` branch. */
  #sequence(): ExprNode {
    const first = this.#t.current;
    const nodes = [this.#expression(0)];
    while (this.#t.is(';')) {
      this.#t.next();
      if (this.#t.current.kind === 'eof') break;
      nodes.push(this.#expression(0));
    }
    return nodes.length === 1 ? (nodes[0] as ExprNode) : { type: 'sequence', nodes, pos: first.pos };
  }

  /** `let name = value; body`, as expr-lang v1.17: the body runs to the end of the enclosing sequence. */
  #let(): ExprNode {
    this.#t.expect('let');
    const name = this.#t.next();
    if (name.kind !== 'name') throw this.#t.unexpected(name);
    this.#t.expect('=');
    const value = this.#expression(0);
    this.#t.expect(';');
    return { type: 'let', name: name.value, value, body: this.#sequence(), pos: name.pos };
  }

  /** `if cond { a } else { b }` (and `else if …`): a conditional whose branches are sequences. */
  #if(): ExprNode {
    const start = this.#t.expect('if');
    const test = this.#expression(0);
    this.#t.expect('{');
    const then = this.#sequence();
    this.#t.expect('}');
    this.#t.expect('else');
    let otherwise: ExprNode;
    if (this.#t.is('if')) otherwise = this.#if();
    else {
      this.#t.expect('{');
      otherwise = this.#sequence();
      this.#t.expect('}');
    }
    return { type: 'conditional', test, then, otherwise, pos: start.pos };
  }

  #expression(precedence: number): ExprNode {
    if (++this.#depth > MAX_DEPTH) throw this.#t.error(this.#t.current, 'expression nested too deeply');
    try {
      if (precedence === 0 && this.#t.is('let')) return this.#let();
      if (precedence === 0 && this.#t.is('if')) return this.#if();
      let left = this.#primary();
      let previous = '';
      for (;;) {
        let opToken = this.#t.current;
        if (opToken.kind !== 'operator') break;
        const negate = opToken.value === 'not';
        if (negate) {
          const suffix = this.#t.peek();
          if (!(suffix.kind === 'operator' && NEGATABLE.has(suffix.value))) throw this.#t.unexpected(suffix);
          opToken = suffix;
        }
        const op = BINARY.get(opToken.value);
        if (op === undefined || op.precedence < precedence) break;
        this.#t.next();
        if (negate) this.#t.next();
        if (opToken.value === '|') {
          const name = this.#t.next();
          if (name.kind !== 'name') throw this.#t.unexpected(name);
          left = this.#call(name, [left]);
        } else {
          if (previous === '??' && opToken.value !== '??') {
            throw this.#t.error(opToken, `operator ${JSON.stringify(opToken.value)} and "??" cannot be mixed without parentheses`);
          }
          left = op.precedence === COMPARISON
            ? this.#comparison(left, opToken, negate)
            : this.#binary(opToken, left, this.#expression(op.right === true ? op.precedence : op.precedence + 1), negate);
        }
        previous = opToken.value;
      }
      return precedence === 0 ? this.#conditional(left) : left;
    } finally {
      this.#depth -= 1;
    }
  }

  #binary(opToken: Token, left: ExprNode, right: ExprNode, negate: boolean): ExprNode {
    const node: ExprNode = { type: 'binary', op: opToken.value, left, right, pos: opToken.pos };
    return negate ? { type: 'unary', op: 'not', operand: node, pos: opToken.pos } : node;
  }

  /** `a < b < c` is `a < b and b < c`, as in expr-lang. */
  #comparison(left: ExprNode, first: Token, firstNegated: boolean): ExprNode {
    let root: ExprNode | undefined;
    let opToken = first;
    let negate = firstNegated;
    let operand = left;
    for (;;) {
      const right = this.#expression(COMPARISON + 1);
      const node = this.#binary(opToken, operand, right, negate);
      root = root === undefined ? node : { type: 'binary', op: '&&', left: root, right: node, pos: opToken.pos };
      operand = right;
      const next = this.#t.current;
      negate = this.#t.is('not', next) && NEGATABLE.has(this.#t.peek().value) && this.#t.peek().kind === 'operator';
      const candidate = negate ? this.#t.peek() : next;
      if (candidate.kind !== 'operator' || BINARY.get(candidate.value)?.precedence !== COMPARISON) return root;
      this.#t.next();
      if (negate) this.#t.next();
      opToken = candidate;
    }
  }

  #conditional(node: ExprNode): ExprNode {
    let result = node;
    while (this.#t.is('?')) {
      const question = this.#t.next();
      let then: ExprNode = result;
      if (this.#t.is(':')) this.#t.next();
      else {
        then = this.#expression(0);
        this.#t.expect(':');
      }
      result = { type: 'conditional', test: result, then, otherwise: this.#expression(0), pos: question.pos };
    }
    return result;
  }

  #primary(): ExprNode {
    const token = this.#t.current;
    if (token.kind === 'operator') {
      const unary = UNARY.get(token.value);
      if (unary !== undefined) {
        this.#t.next();
        const operand = this.#expression(unary);
        if (token.value === '-' && operand.type === 'literal' && typeof operand.value === 'number') {
          return this.#postfix({ type: 'literal', value: -operand.value, ...(operand.float === true && { float: true }), pos: token.pos });
        }
        return this.#postfix({ type: 'unary', op: token.value, operand, pos: token.pos });
      }
      if (token.value === '(') {
        this.#t.next();
        const inner = this.#sequence();
        this.#t.expect(')');
        return this.#postfix(inner);
      }
      if (token.value === '#' || token.value === '.') {
        if (this.#predicateDepth === 0) throw this.#t.error(token, `${JSON.stringify(token.value)} can only be used inside a predicate`);
        let name = '';
        if (token.value === '#') {
          this.#t.next();
          if (this.#t.current.kind === 'name') name = this.#t.next().value;
        }
        return this.#postfix({ type: 'pointer', name, pos: token.pos });
      }
    }
    return this.#secondary();
  }

  #secondary(): ExprNode {
    const token = this.#t.next();
    switch (token.kind) {
      case 'name':
        if (token.value === 'true' || token.value === 'false') return { type: 'literal', value: token.value === 'true', pos: token.pos };
        if (token.value === 'nil') return { type: 'literal', value: null, pos: token.pos };
        if (this.#t.is('(')) return this.#postfix(this.#call(token, []));
        return this.#postfix({ type: 'name', name: token.value, pos: token.pos });
      case 'number': {
        // As expr-lang: hex is an int; otherwise a `.` or an exponent makes a float.
        const float = !/^0[xX]/.test(token.value) && /[.eE]/.test(token.value);
        return { type: 'literal', value: token.number ?? 0, ...(float && { float: true }), pos: token.pos };
      }
      case 'string':
        return this.#postfix({ type: 'literal', value: token.value, pos: token.pos });
      default:
        if (this.#t.is('[', token)) return this.#postfix(this.#array(token));
        if (this.#t.is('{', token)) return this.#postfix(this.#map(token));
        throw this.#t.unexpected(token);
    }
  }

  #call(nameToken: Token, leading: ExprNode[]): ExprNode {
    const name = nameToken.value;
    const predicate = PREDICATE_BUILTINS.get(name);
    if (predicate === undefined) return { type: 'call', name, args: this.#arguments(leading), pos: nameToken.pos };
    this.#t.expect('(');
    const args = [...leading];
    if (args.length === 0) args.push(this.#expression(0));
    if (!(predicate.optionalPredicate && this.#t.is(')'))) {
      if (args.length > 1 || leading.length === 0) this.#t.expect(',');
      args.push(this.#predicate());
    }
    // reduce's initial value, sortBy's order.
    if (predicate.extraArgument && this.#t.is(',') && !this.#t.is(')', this.#t.peek())) {
      this.#t.next();
      args.push(this.#expression(0));
    }
    if (this.#t.is(',') && this.#t.is(')', this.#t.peek())) this.#t.next();
    this.#t.expect(')');
    return { type: 'call', name, args, pos: nameToken.pos };
  }

  #arguments(leading: ExprNode[]): ExprNode[] {
    this.#t.expect('(');
    return this.#list(')', () => this.#expression(0), leading);
  }

  /** Comma-separated items up to `close` (a trailing comma allowed), after `leading` ones from a pipe. */
  #list<T>(close: string, item: () => T, leading: T[] = []): T[] {
    const items = [...leading];
    for (let first = true; !this.#t.is(close); first = false) {
      if (!first) {
        this.#t.expect(',');
        if (this.#t.is(close)) break;
      }
      items.push(item());
    }
    this.#t.expect(close);
    return items;
  }

  #predicate(): ExprNode {
    const start = this.#t.current;
    const braced = this.#t.is('{', start);
    if (braced) this.#t.next();
    this.#predicateDepth += 1;
    const body = this.#expression(0);
    this.#predicateDepth -= 1;
    if (braced) this.#t.expect('}');
    return { type: 'predicate', body, pos: start.pos };
  }

  #array(open: Token): ExprNode {
    return { type: 'array', items: this.#list(']', () => this.#expression(0)), pos: open.pos };
  }

  #map(open: Token): ExprNode {
    const entries = this.#list('}', () => {
      const keyToken = this.#t.current;
      let key: ExprNode;
      if (keyToken.kind === 'name' || keyToken.kind === 'string' || keyToken.kind === 'number') {
        this.#t.next();
        key = { type: 'literal', value: keyToken.value, pos: keyToken.pos };
      } else if (this.#t.is('(', keyToken)) {
        key = this.#expression(0);
      } else {
        throw this.#t.error(keyToken, 'a map key must be a name, a string, a number or an expression in parentheses');
      }
      this.#t.expect(':');
      return { key, value: this.#expression(0) };
    });
    return { type: 'map', entries, pos: open.pos };
  }

  #postfix(start: ExprNode): ExprNode {
    let node = start;
    // expr-lang: `?.` on nil ends the whole chain (`a?.b.c` is nil when a is); a plain `.` on nil is an error.
    let chained = false;
    let pendingOptional = false;
    for (;;) {
      const token = this.#t.current;
      if (this.#t.is('.', token) || this.#t.is('?.', token)) {
        const optional = token.value === '?.';
        chained ||= optional;
        this.#t.next();
        if (optional && this.#t.is('[')) {
          pendingOptional = true;
          continue;
        }
        const property = this.#t.next();
        const isWord = property.kind === 'name' || (property.kind === 'operator' && /^[A-Za-z_]\w*$/.test(property.value));
        if (!isWord) throw this.#t.error(property, 'expected a property name');
        node = this.#t.is('(')
          ? { type: 'method', object: node, name: property.value, args: this.#arguments([]), optional, pos: property.pos }
          : { type: 'member', object: node, property: { type: 'literal', value: property.value, pos: property.pos }, optional, pos: property.pos };
      } else if (this.#t.is('[', token)) {
        const optional = pendingOptional;
        pendingOptional = false;
        this.#t.next();
        const from = this.#t.is(':') ? undefined : this.#expression(0);
        if (this.#t.is(':')) {
          this.#t.next();
          const to = this.#t.is(']') ? undefined : this.#expression(0);
          node = { type: 'slice', object: node, ...(from && { from }), ...(to && { to }), pos: token.pos };
        } else {
          node = { type: 'member', object: node, property: from ?? { type: 'literal', value: null, pos: token.pos }, optional, pos: token.pos };
        }
        this.#t.expect(']');
      } else {
        return chained ? { type: 'chain', node, pos: start.pos } : node;
      }
    }
  }

}
