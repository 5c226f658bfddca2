import type { ControlNode, GoNode, GoTemplateTree, Pipe } from './go-ast.ts';
import type { Evaluate, Frame, PipelineCompiler, TemplateLookup } from './go-evaluator.ts';

/**
 * Translates a parsed Go template into a handlebars program: text stays text, every Go action becomes a
 * `{{_act N}}` mustache (a `{{template}}` call too) and every control structure a `{{#_if N}}`/`{{#_with N}}`/`{{#_range N}}` block,
 * where N indexes the compiled Go pipelines. Handlebars runs the structure; the helpers run Go's semantics.
 * The program is built as an AST, so no text of the template is ever parsed as handlebars.
 */

export type ProgramEntry =
  | { readonly kind: 'action'; readonly print: (frame: Frame) => string }
  | { readonly kind: 'if' | 'with'; readonly evaluate: Evaluate }
  | {
      readonly kind: 'range';
      readonly evaluate: Evaluate;
      readonly decl: readonly number[];
      readonly items: (value: unknown) => ReadonlyArray<readonly [unknown, unknown]>;
    };

/** The context handlebars passes to the helpers: Go's dot and variables, and the compiled pipelines. */
export interface ProgramFrame extends Frame {
  readonly entries: readonly ProgramEntry[];
}

export interface GoHandlebarsProgram {
  readonly ast: hbs.AST.Program;
  readonly entries: readonly ProgramEntry[];
  readonly slotCount: number;
}

const LOC: hbs.AST.SourceLocation = { source: '', start: { line: 1, column: 0 }, end: { line: 1, column: 0 } };
const NO_STRIP: hbs.AST.StripFlags = { open: false, close: false };

function program(body: hbs.AST.Statement[]): hbs.AST.Program {
  return { type: 'Program', body, blockParams: [], loc: LOC };
}

function helperPath(name: string): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc: LOC };
}

function idParam(id: number): hbs.AST.NumberLiteral {
  return { type: 'NumberLiteral', value: id, original: id, loc: LOC };
}

export function buildGoHandlebarsProgram(tree: GoTemplateTree, compiler: PipelineCompiler, lookup: TemplateLookup): GoHandlebarsProgram {
  const entries: ProgramEntry[] = [];
  const add = (entry: ProgramEntry): number => entries.push(entry) - 1;

  const control = (node: ControlNode): hbs.AST.BlockStatement => {
    const id = node.kind === 'range' ? add(rangeEntry(node.pipe)) : add({ kind: node.kind, evaluate: compiler.pipe(node.pipe) });
    const block = {
      type: 'BlockStatement',
      path: helperPath(`_${node.kind}`),
      params: [idParam(id)],
      program: list(node.list),
      inverse: node.elseList === undefined ? undefined : list(node.elseList),
      openStrip: NO_STRIP,
      inverseStrip: NO_STRIP,
      closeStrip: NO_STRIP,
      loc: LOC,
    };
    return block as unknown as hbs.AST.BlockStatement;
  };

  const rangeEntry = (pipe: Pipe): ProgramEntry => ({
    kind: 'range',
    evaluate: compiler.pipe(pipe, false),
    decl: pipe.decl,
    items: (value) => compiler.rangeItems(pipe, value),
  });

  const action = (print: (frame: Frame) => string): hbs.AST.MustacheStatement => {
    const mustache = { type: 'MustacheStatement', path: helperPath('_act'), params: [idParam(add({ kind: 'action', print }))], escaped: false, strip: NO_STRIP, loc: LOC };
    return mustache as unknown as hbs.AST.MustacheStatement;
  };

  const statement = (node: GoNode): hbs.AST.Statement => {
    switch (node.kind) {
      case 'text':
        return { type: 'ContentStatement', value: node.text, original: node.text, loc: LOC } as unknown as hbs.AST.ContentStatement;
      case 'action':
        return action(compiler.action(node.pipe));
      case 'template':
        return action(compiler.templateCall(node, lookup));
      default:
        return control(node);
    }
  };

  const list = (nodes: readonly GoNode[]): hbs.AST.Program => program(nodes.map(statement));

  return { ast: list(tree.nodes), entries, slotCount: tree.slotCount };
}
