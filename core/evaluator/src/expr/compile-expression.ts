import { EvaluatorErrorCodes, ExpressionError } from '../errors.ts';
import { typeName } from '../host/type-name.ts';
import type { ExprNode } from './expr-ast.ts';
import { parseExpression } from './expr-parser.ts';
import { translateToJexl } from './jexl-translator.ts';
import { compileJexl, runJexl } from './jexl-runtime.ts';
import { defaultHost } from './method-call.ts';
import { toExpressionError } from './runtime-error.ts';
import { checkTypes } from './type-check.ts';
import { isBlockedName, isPlainMap } from './value-access.ts';

export interface CompiledExpression {
  readonly source: string;
  /**
   * Evaluates against `vars` (the watched object under its variable name, `time`, `strings`). Unknown
   * names are nil. Synchronous; throws an ExpressionError (`HERALD_ERR_EXPR_RUNTIME`) on failure.
   */
  evaluate(vars: Readonly<Record<string, unknown>>): unknown;
  /**
   * Whether it reads the clock (`time.Now()`, `now()`): its value can change while the object stays the same,
   * so it changes only when the object is evaluated again.
   */
  readonly readsClock?: boolean;
}

const ALWAYS_FALSE = (source: string): CompiledExpression => Object.freeze({ source, evaluate: () => false, readsClock: false });

/**
 * Compiles an Argo `when`/`oncePer` expression (expr-lang syntax) once. Throws an ExpressionError
 * (`HERALD_ERR_EXPR_SYNTAX`) naming the problem and its column: a syntax error, or a type error expr-lang's
 * checker finds at load (type-check.ts). Empty or blank source is `false`, as in Argo.
 */
export function compileExpression(source: string): CompiledExpression {
  if (typeof source !== 'string') throw new ExpressionError(EvaluatorErrorCodes.expressionSyntax, 'expression must be a string');
  const built = build(source);
  if (built === undefined) return ALWAYS_FALSE(source);
  const { ast, translation, jexlExpression } = built;
  const constants = Object.create(null) as Record<string, unknown>;
  translation.constants.forEach((value, i) => {
    constants[`k${i}`] = value;
  });
  Object.freeze(constants);
  const slots = translation.variables.map((name, i) => ({ slot: `v${i}`, name }));
  return Object.freeze({
    source,
    readsClock: readsClock(ast),
    evaluate(vars: Readonly<Record<string, unknown>>): unknown {
      // The context inherits the constants; its own properties are only the variables this expression reads.
      const context = Object.create(constants) as Record<string, unknown>;
      for (const { slot, name } of slots) context[slot] = variable(vars, name);
      return runJexl(jexlExpression, context);
    },
  });
}

function build(source: string) {
  try {
    const ast = parseExpression(source);
    if (ast === undefined) return undefined;
    const translation = translateToJexl(source, ast);
    checkTypes(source, ast);
    return { ast, translation, jexlExpression: compileJexl(translation.text) };
  } catch (error) {
    if (error instanceof ExpressionError) throw error;
    // Only a bug or an absurdly deep expression gets here (a stack overflow is a RangeError).
    const message = error instanceof RangeError ? 'expression nested too deeply' : `cannot compile: ${(error as Error).message}`;
    throw new ExpressionError(EvaluatorErrorCodes.expressionSyntax, message, { cause: error });
  }
}

/** Whether the expression calls `time.Now()` or `now()` anywhere (a `let` naming its own `time` counts too). */
function readsClock(node: ExprNode): boolean {
  if (node.type === 'call' && node.name === 'now') return true;
  if (node.type === 'method' && node.name === 'Now' && node.object.type === 'name' && node.object.name === 'time') return true;
  return Object.values(node).some((value) => (Array.isArray(value) ? value : [value]).some((child) => isNode(child) ? readsClock(child) : isEntry(child) && (readsClock(child.key) || readsClock(child.value))));
}

const isNode = (value: unknown): value is ExprNode => typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
const isEntry = (value: unknown): value is { key: ExprNode; value: ExprNode } => typeof value === 'object' && value !== null && isNode((value as { key?: unknown }).key);

/** A variable's value: an own property of `vars` (never an inherited one); `time` and `strings` default to the host's. */
function variable(vars: unknown, name: string): unknown {
  if (name === '$env') return isPlainMap(vars) ? vars : undefined;
  const descriptor = typeof vars === 'object' && vars !== null && !isBlockedName(name) ? Object.getOwnPropertyDescriptor(vars, name) : undefined;
  if (descriptor !== undefined) {
    const value: unknown = descriptor.value;
    return typeof value === 'function' ? undefined : value;
  }
  if (name === 'time') return defaultHost.time;
  if (name === 'strings') return defaultHost.strings;
  return undefined;
}

/**
 * A trigger condition's outcome: true only for a real boolean `true`. A runtime failure or a non-boolean
 * result is `false` with the reason in `error`, for the caller to log as a warning.
 */
export function evaluateCondition(expression: CompiledExpression, vars: Readonly<Record<string, unknown>>): { value: boolean; error?: ExpressionError } {
  let value: unknown;
  try {
    value = expression.evaluate(vars);
  } catch (error) {
    return { value: false, error: toExpressionError(error) };
  }
  if (typeof value === 'boolean') return { value };
  const error = new ExpressionError(EvaluatorErrorCodes.expressionRuntime, `condition returned ${typeName(value)}, not a bool`);
  return { value: false, error };
}
