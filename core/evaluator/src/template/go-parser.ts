import type { Command, ControlNode, GoNode, GoTemplateSet, GoTemplateTree, Operand, Pipe, TemplateNode } from './go-ast.ts';
import { lexGoTemplate, type Token } from './go-lexer.ts';
import { TokenCursor } from './go-token-cursor.ts';
import { literalOperand } from './go-literals.ts';
import type { TemplateErrors } from './template-errors.ts';

/**
 * What the parser needs to know about function names: `provided`, a known sprig/Argo name Herald lacks,
 * one of Helm's own functions (which Argo lacks too), or unknown.
 */
export type FunctionStatus = 'provided' | 'unsupported' | 'helm' | 'unknown';

type Terminator = { readonly kind: 'end' | 'else' | 'eof'; readonly pos: number };
type ControlKind = ControlNode['kind'];
type PipelineContext = 'command' | 'parenthesized' | ControlKind | 'template clause' | 'block clause';

/** What Go keeps per template being parsed: a `{{define}}` or `{{block}}` body starts with only `$`. */
interface TreeScope {
  slotCount: number;
  rangeDepth: number;
  /** Variables in scope, innermost last; `$` (the data) is slot 0. */
  readonly vars: Array<{ readonly name: string; readonly slot: number }>;
}

function newScope(): TreeScope {
  return { slotCount: 1, rangeDepth: 0, vars: [{ name: '$', slot: 0 }] };
}

/** Go's parse.IsEmptyTree: only whitespace text (comments are gone already). */
function isEmptyTree(tree: GoTemplateTree): boolean {
  return tree.nodes.every((node) => node.kind === 'text' && node.text.trim() === '');
}

/**
 * Parses Go text/template source into its templates, as `template.New(name).Parse(source)` does, with Go's
 * checks: undefined variables and functions, misplaced `{{else}}`/`{{end}}`, empty commands, a template
 * defined twice. Variables are resolved to numbered slots here, since Go scopes them lexically (to the end
 * of the enclosing control structure). `name` is the name the engine gives the source (goTemplateName);
 * without one, the source's own text cannot be called by name.
 */
export function parseGoTemplate(source: string, errors: TemplateErrors, functionStatus: (name: string) => FunctionStatus, name?: string): GoTemplateSet {
  const parser = new GoParser(source, lexGoTemplate(source, errors), errors, functionStatus);
  return parser.parse(name);
}

class GoParser {
  readonly #source: string;
  readonly #cursor: TokenCursor;
  readonly #errors: TemplateErrors;
  readonly #functionStatus: (name: string) => FunctionStatus;
  #scope = newScope();
  readonly #defined = new Map<string, GoTemplateTree>();

  constructor(source: string, tokens: Token[], errors: TemplateErrors, functionStatus: (name: string) => FunctionStatus) {
    this.#source = source;
    this.#cursor = new TokenCursor(tokens, errors);
    this.#errors = errors;
    this.#functionStatus = functionStatus;
  }

  parse(name: string | undefined): GoTemplateSet {
    const { nodes, end } = this.#itemList(true);
    if (end.kind !== 'eof') throw this.#errors.syntax(`unexpected {{${end.kind}}}`, end.pos);
    const text: GoTemplateTree = { nodes, slotCount: this.#scope.slotCount };
    if (name === undefined) return { main: text, text, defined: this.#defined };
    // Go adds the source's own tree last, under its name: empty text leaves a definition of that name in place.
    this.#add(name, text, 0);
    return { main: this.#defined.get(name) ?? text, text, defined: this.#defined };
  }

  /** Go's Tree.add: a name is defined once, but an empty definition gives way to (and never replaces) a full one. */
  #add(name: string, tree: GoTemplateTree, pos: number): void {
    const existing = this.#defined.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.#defined.set(name, tree);
      return;
    }
    if (!isEmptyTree(tree)) throw this.#errors.syntax(`template: multiple definition of template ${JSON.stringify(name)}`, pos);
  }

  /** Parses a `{{define}}` or `{{block}}` body as its own template: its own variables, `$` its dot. */
  #body(context: 'define clause' | 'block clause'): GoTemplateTree {
    const outer = this.#scope;
    this.#scope = newScope();
    try {
      const { nodes, end } = this.#itemList(false);
      if (end.kind === 'eof') throw this.#errors.syntax('unexpected EOF', end.pos);
      if (end.kind !== 'end') throw this.#errors.syntax(`unexpected {{${end.kind}}} in ${context}`, end.pos);
      return { nodes, slotCount: this.#scope.slotCount };
    } finally {
      this.#scope = outer;
    }
  }

  /** The quoted name after `define`, `template` or `block`. */
  #templateName(context: string): string {
    const token = this.#cursor.skipSpace();
    if (token.type !== 'string' && token.type !== 'raw') throw this.#cursor.unexpected(token, context);
    this.#cursor.next();
    const name = literalOperand(token, this.#errors);
    if (name.kind !== 'string') throw this.#cursor.unexpected(token, context);
    return name.value;
  }

  /** `{{define "name"}}…{{end}}`: only at the top level of the source, as in Go. */
  #definition(pos: number): void {
    const name = this.#templateName('define clause');
    this.#cursor.expectRight('define clause');
    this.#add(name, this.#body('define clause'), pos);
  }

  /** `{{template "name"}}` or `{{template "name" pipeline}}`; the pipeline's variables stay in scope, as in Go. */
  #templateCall(pos: number): TemplateNode {
    const name = this.#templateName('template clause');
    let pipe: Pipe | undefined;
    if (this.#cursor.skipSpace().type === 'right') this.#cursor.next();
    else pipe = this.#pipeline('template clause', 'right');
    return templateNode(pos, name, pipe);
  }

  /** `{{block "name" pipeline}}…{{end}}`: defines the template and calls it where it stands. */
  #block(pos: number): TemplateNode {
    const name = this.#templateName('block clause');
    const pipe = this.#pipeline('block clause', 'right');
    this.#add(name, this.#body('block clause'), pos);
    return templateNode(pos, name, pipe);
  }

  /** Nodes up to `{{end}}`, `{{else}}` or the end of input, whichever comes first; `{{define}}` only at the top level. */
  #itemList(topLevel: boolean): { nodes: GoNode[]; end: Terminator } {
    const nodes: GoNode[] = [];
    for (;;) {
      const token = this.#cursor.next();
      if (token.type === 'eof') return { nodes, end: { kind: 'eof', pos: token.pos } };
      if (token.type === 'text') {
        nodes.push({ kind: 'text', text: token.value });
        continue;
      }
      const word = this.#cursor.skipSpace();
      if (word.type === 'keyword') {
        this.#cursor.next();
        switch (word.value) {
          case 'end':
            this.#cursor.expectRight('end');
            return { nodes, end: { kind: 'end', pos: token.pos } };
          case 'else':
            return { nodes, end: { kind: 'else', pos: token.pos } };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.#control(word.value, token.pos));
            continue;
          case 'define':
            if (!topLevel) throw this.#errors.syntax('unexpected <define> in command', word.pos);
            this.#definition(token.pos);
            continue;
          case 'template':
            nodes.push(this.#templateCall(token.pos));
            continue;
          case 'block':
            nodes.push(this.#block(token.pos));
            continue;
          case 'break':
          case 'continue':
            if (this.#scope.rangeDepth === 0) throw this.#errors.syntax(`{{${word.value}}} outside {{range}}`, token.pos);
            throw this.#errors.unsupported(`{{${word.value}}} is not supported`, token.pos);
          default:
            throw this.#errors.syntax(`unexpected <${word.value}> in command`, word.pos);
        }
      }
      const pipe = this.#pipeline('command', 'right');
      nodes.push({ kind: 'action', pos: token.pos, pipe });
    }
  }

  #control(kind: ControlKind, pos: number): ControlNode {
    const scope = this.#scope;
    const mark = scope.vars.length;
    const pipe = this.#pipeline(kind, 'right');
    const afterPipe = scope.vars.length;
    if (kind === 'range') scope.rangeDepth++;
    const { nodes: list, end } = this.#itemList(false);
    if (kind === 'range') scope.rangeDepth--;
    // Variables declared in the body end with it; only the pipeline's own reach the else branch.
    scope.vars.length = afterPipe;
    let elseList: GoNode[] | undefined;
    if (end.kind === 'eof') throw this.#errors.syntax('unexpected EOF', end.pos);
    if (end.kind === 'else') {
      const next = this.#cursor.skipSpace();
      if (next.type === 'keyword' && (next.value === 'if' || next.value === 'with')) {
        if (next.value !== kind) throw this.#errors.syntax(`{{else ${next.value}}} inside {{${kind}}}`, next.pos);
        this.#cursor.next();
        // `{{if a}}…{{else if b}}…{{end}}` is `{{if a}}…{{else}}{{if b}}…{{end}}{{end}}`: one {{end}} closes both.
        elseList = [this.#control(kind, end.pos)];
      } else {
        this.#cursor.expectRight('else');
        const rest = this.#itemList(false);
        if (rest.end.kind !== 'end') {
          throw rest.end.kind === 'eof' ? this.#errors.syntax('unexpected EOF', rest.end.pos) : this.#errors.syntax('expected {{end}}; found {{else}}', rest.end.pos);
        }
        elseList = rest.nodes;
      }
    }
    scope.vars.length = mark;
    return { kind, pos, pipe, list, elseList };
  }

  #pipeline(context: PipelineContext, end: 'right' | 'rparen'): Pipe {
    const start = this.#cursor.skipSpace().pos;
    const declNames: Token[] = [];
    let isAssign = false;
    const save = this.#cursor.index;
    if (this.#cursor.peek().type === 'variable') {
      const first = this.#cursor.next();
      const afterFirst = this.#cursor.skipSpace();
      if (afterFirst.type === 'declare' || afterFirst.type === 'assign') {
        declNames.push(first);
      } else if (afterFirst.type === 'comma') {
        this.#cursor.next();
        const second = this.#cursor.skipSpace();
        if (context !== 'range' || second.type !== 'variable') {
          throw this.#errors.syntax(context === 'range' ? 'range can only initialize variables' : `too many declarations in ${context}`, afterFirst.pos);
        }
        this.#cursor.next();
        declNames.push(first, second);
        const op = this.#cursor.skipSpace();
        if (op.type !== 'declare' && op.type !== 'assign') throw this.#cursor.unexpected(op, 'range declaration');
      } else {
        this.#cursor.index = save;
      }
      if (declNames.length > 0) isAssign = this.#cursor.next().type === 'assign';
    }

    const commands: Command[] = [];
    for (;;) {
      const token = this.#cursor.skipSpace();
      if (token.type === end) {
        this.#cursor.next();
        break;
      }
      if (token.type === 'right' || token.type === 'rparen' || token.type === 'eof') throw this.#cursor.unexpected(token, 'pipeline');
      commands.push(this.#command(end));
    }
    const text = this.#source.slice(start, this.#cursor.previous()?.pos ?? start).trim();
    if (commands.length === 0) throw this.#errors.syntax(`missing value for ${context}`, start);
    commands.forEach((command, i) => {
      const head = command.args[0];
      if (i > 0 && head !== undefined && ['bool', 'dot', 'nil', 'number', 'string'].includes(head.kind)) {
        throw this.#errors.syntax(`non executable command in pipeline stage ${i + 1}`, command.pos);
      }
    });

    // Declared names come into scope after the pipeline, so `{{$x := $x}}` reads the outer `$x`.
    const decl = declNames.map((name) => {
      if (isAssign) return this.#lookupVar(name);
      const slot = this.#scope.slotCount++;
      this.#scope.vars.push({ name: name.value, slot });
      return slot;
    });
    return { pos: start, text, decl, isAssign, commands };
  }

  #command(end: 'right' | 'rparen'): Command {
    const start = this.#cursor.peek().pos;
    const args: Operand[] = [];
    for (;;) {
      this.#cursor.skipSpace();
      const operand = this.#operand();
      if (operand !== undefined) args.push(operand);
      const token = this.#cursor.peek();
      if (token.type === 'space') continue;
      if (token.type === 'pipe') {
        this.#cursor.next();
        break;
      }
      if (token.type === end) break;
      throw this.#cursor.unexpected(token, 'operand');
    }
    if (args.length === 0) throw this.#errors.syntax('empty command', start);
    const last = args.at(-1);
    const text = this.#source.slice(start, last === undefined ? start : last.pos + last.text.length);
    return { pos: start, text, args };
  }

  #operand(): Operand | undefined {
    const term = this.#term();
    if (term === undefined || this.#cursor.peek().type !== 'field') return term;
    const path: string[] = [];
    while (this.#cursor.peek().type === 'field') path.push(this.#cursor.next().value);
    const text = this.#source.slice(term.pos, this.#cursor.previous()?.pos ?? term.pos) + `.${path.at(-1) ?? ''}`;
    switch (term.kind) {
      case 'field':
      case 'variable':
      case 'pipe':
        return { ...term, text, path: [...term.path, ...path] };
      case 'function':
        return { kind: 'pipe', pos: term.pos, text, path, pipe: { pos: term.pos, text: term.text, decl: [], isAssign: false, commands: [{ pos: term.pos, text: term.text, args: [term] }] } };
      default:
        throw this.#errors.syntax(`unexpected . after term ${JSON.stringify(term.text)}`, term.pos);
    }
  }

  #term(): Operand | undefined {
    const token = this.#cursor.peek();
    const base = { pos: token.pos, text: token.value };
    switch (token.type) {
      case 'identifier': {
        this.#cursor.next();
        const status = this.#functionStatus(token.value);
        if (status === 'unsupported' || status === 'helm') {
          const helm = status === 'helm' ? ' (it is a Helm function: Argo templates do not have it either)' : '';
          throw this.#errors.unsupported(`function ${JSON.stringify(token.value)} is not supported by Herald${helm}`, token.pos);
        }
        if (status === 'unknown') throw this.#errors.syntax(`function ${JSON.stringify(token.value)} not defined`, token.pos);
        return { kind: 'function', ...base, name: token.value };
      }
      case 'dot':
        this.#cursor.next();
        return { kind: 'dot', ...base };
      case 'nil':
        this.#cursor.next();
        return { kind: 'nil', ...base };
      case 'bool':
        this.#cursor.next();
        return { kind: 'bool', ...base, value: token.value === 'true' };
      case 'field':
        this.#cursor.next();
        return { kind: 'field', ...base, text: `.${token.value}`, path: [token.value] };
      case 'variable':
        this.#cursor.next();
        return { kind: 'variable', ...base, slot: this.#lookupVar(token), path: [] };
      case 'string':
      case 'raw':
      case 'char':
      case 'number':
        this.#cursor.next();
        return literalOperand(token, this.#errors);
      case 'lparen': {
        this.#cursor.next();
        const pipe = this.#pipeline('parenthesized', 'rparen');
        return { kind: 'pipe', pos: token.pos, text: this.#source.slice(token.pos, this.#cursor.previous()?.pos ?? token.pos) + ')', pipe, path: [] };
      }
      default:
        return undefined;
    }
  }

  #lookupVar(token: Token): number {
    const vars = this.#scope.vars;
    for (let i = vars.length - 1; i >= 0; i--) {
      const entry = vars[i];
      if (entry?.name === token.value) return entry.slot;
    }
    throw this.#errors.syntax(`undefined variable ${JSON.stringify(token.value)}`, token.pos);
  }
}

function templateNode(pos: number, name: string, pipe: Pipe | undefined): TemplateNode {
  return { kind: 'template', pos, name, pipe, text: `{{template ${JSON.stringify(name)}${pipe === undefined ? '' : ` ${pipe.text}`}}}` };
}
