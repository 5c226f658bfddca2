import { force, type LazyOperand } from './predicate-builtins.ts';

// Evaluation is synchronous and never re-entered, so one stack serves every expression. A `let` nested in
// n others always finds exactly n bindings below it, so the translation names each binding by its depth.
const bindings: unknown[] = [];

/** `let name = value; body`: evaluates value, binds it while body runs, and gives body's value. */
export function runLet(value: LazyOperand, body: LazyOperand): unknown {
  bindings.push(force(value.eval()));
  try {
    return force(body.eval());
  } finally {
    bindings.pop();
  }
}

/** The value of the binding at `depth` (0 for the outermost `let`). */
export function boundValue(depth: unknown): unknown {
  return bindings[depth as number];
}

export function bindingDepth(): number {
  return bindings.length;
}

/** Drops bindings an aborted evaluation left behind. */
export function unwindBindings(depth: number): void {
  bindings.length = depth;
}
