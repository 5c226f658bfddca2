/** The parsed form of an expr-lang expression; `pos` is the 0-based source offset, for compile errors. */
export type ExprNode =
  /** `float` when a number was written as one (`1.0`, `1e3`): expr-lang types it float64, not int. */
  | { readonly type: 'literal'; readonly value: string | number | boolean | null; readonly float?: boolean; readonly pos: number }
  | { readonly type: 'name'; readonly name: string; readonly pos: number }
  /** `#` (name ''), `#index`, `#acc`, and the element behind a leading `.field`, inside a predicate. */
  | { readonly type: 'pointer'; readonly name: string; readonly pos: number }
  /** `object.name`, `object[key]`; `optional` when written `?.` (a nil object ends the whole chain as nil). */
  | { readonly type: 'member'; readonly object: ExprNode; readonly property: ExprNode; readonly optional: boolean; readonly pos: number }
  /** A postfix chain that went through `?.` somewhere: where an optional access on nil ends it, as nil. */
  | { readonly type: 'chain'; readonly node: ExprNode; readonly pos: number }
  | { readonly type: 'slice'; readonly object: ExprNode; readonly from?: ExprNode; readonly to?: ExprNode; readonly pos: number }
  /** A builtin: `len(x)`, or `all(x, {…})` whose predicate argument is a `predicate` node. */
  | { readonly type: 'call'; readonly name: string; readonly args: readonly ExprNode[]; readonly pos: number }
  /** `object.name(args)`; `optional` when written `?.name()`. */
  | { readonly type: 'method'; readonly object: ExprNode; readonly name: string; readonly args: readonly ExprNode[]; readonly optional: boolean; readonly pos: number }
  | { readonly type: 'unary'; readonly op: string; readonly operand: ExprNode; readonly pos: number }
  | { readonly type: 'binary'; readonly op: string; readonly left: ExprNode; readonly right: ExprNode; readonly pos: number }
  | { readonly type: 'conditional'; readonly test: ExprNode; readonly then: ExprNode; readonly otherwise: ExprNode; readonly pos: number }
  | { readonly type: 'array'; readonly items: readonly ExprNode[]; readonly pos: number }
  | { readonly type: 'map'; readonly entries: readonly { readonly key: ExprNode; readonly value: ExprNode }[]; readonly pos: number }
  | { readonly type: 'predicate'; readonly body: ExprNode; readonly pos: number }
  /** `let name = value; body`: `name` is `value` within `body` only. */
  | { readonly type: 'let'; readonly name: string; readonly value: ExprNode; readonly body: ExprNode; readonly pos: number }
  /** `a; b; c`: each evaluated in turn, the value is the last one's. */
  | { readonly type: 'sequence'; readonly nodes: readonly ExprNode[]; readonly pos: number };
