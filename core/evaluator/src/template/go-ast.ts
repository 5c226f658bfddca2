/**
 * The parse tree of a Go text/template, as Herald supports it. Positions are offsets into the source;
 * `text` is the source of the node, for error messages (`at <.pod.status.x>`).
 */

export type GoNode = TextNode | ActionNode | ControlNode | TemplateNode;

export interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}

/** `{{pipeline}}`: prints the pipeline's value unless the pipeline declares or assigns variables. */
export interface ActionNode {
  readonly kind: 'action';
  readonly pos: number;
  readonly pipe: Pipe;
}

/** `{{if}}`, `{{with}}`, `{{range}}`; `else if` / `else with` are an else list holding one nested control. */
export interface ControlNode {
  readonly kind: 'if' | 'with' | 'range';
  readonly pos: number;
  readonly pipe: Pipe;
  readonly list: readonly GoNode[];
  readonly elseList: readonly GoNode[] | undefined;
}

/**
 * `{{template "name" pipeline}}` (and the call a `{{block}}` makes where it stands): runs the template of that
 * name, looked up when it runs (as Go does), with the pipeline's value as its dot and `$`.
 */
export interface TemplateNode {
  readonly kind: 'template';
  readonly pos: number;
  /** `{{template "x" .}}`, for error messages. */
  readonly text: string;
  readonly name: string;
  readonly pipe: Pipe | undefined;
}

export interface Pipe {
  readonly pos: number;
  readonly text: string;
  /** Variable slots declared (`:=`) or assigned (`=`) by this pipeline; two only in `range`. */
  readonly decl: readonly number[];
  readonly isAssign: boolean;
  readonly commands: readonly Command[];
}

/** One stage of a pipeline: a function or field with its arguments. */
export interface Command {
  readonly pos: number;
  readonly text: string;
  readonly args: readonly Operand[];
}

export type Operand =
  | { readonly kind: 'dot'; readonly pos: number; readonly text: string }
  | { readonly kind: 'nil'; readonly pos: number; readonly text: string }
  | { readonly kind: 'bool'; readonly pos: number; readonly text: string; readonly value: boolean }
  | { readonly kind: 'number'; readonly pos: number; readonly text: string; readonly value: number }
  | { readonly kind: 'string'; readonly pos: number; readonly text: string; readonly value: string }
  | { readonly kind: 'function'; readonly pos: number; readonly text: string; readonly name: string }
  /** `.a.b`: fields of dot. */
  | { readonly kind: 'field'; readonly pos: number; readonly text: string; readonly path: readonly string[] }
  /** `$x.a.b`: a variable (slot 0 is `$`, the data) and fields of it. */
  | { readonly kind: 'variable'; readonly pos: number; readonly text: string; readonly slot: number; readonly path: readonly string[] }
  /** `(pipeline).a.b`. */
  | { readonly kind: 'pipe'; readonly pos: number; readonly text: string; readonly pipe: Pipe; readonly path: readonly string[] };

export interface GoTemplateTree {
  readonly nodes: readonly GoNode[];
  /** How many variable slots a render needs. */
  readonly slotCount: number;
}

/**
 * What one template source parses to, as Go's `template.New(name).Parse(source)`: the templates it
 * defines (`{{define}}`, `{{block}}`), by name, and the one that renders (`main`: the source's own text,
 * or the definition of its own name when the text around the definitions is empty).
 */
export interface GoTemplateSet {
  readonly main: GoTemplateTree;
  /** The source's own text (outside its definitions): `main` unless a definition of its name took over. */
  readonly text: GoTemplateTree;
  readonly defined: ReadonlyMap<string, GoTemplateTree>;
}
