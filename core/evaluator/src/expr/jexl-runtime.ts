import jexl from 'jexl';
import { isHostNamespace } from '../host/host-functions.ts';
import { BUILTINS } from './builtin-functions.ts';
import { matches } from './go-regex.ts';
import { callMethod, defaultHost } from './method-call.ts';
import * as ops from './operators.ts';
import { currentIndex, currentItem, force, PREDICATE_BUILTINS, runPredicate, scopeDepth, unwindScopes, type LazyOperand } from './predicate-builtins.ts';
import { toExpressionError } from './runtime-error.ts';
import { getMember, getPath, makeMap, slice } from './value-access.ts';

type Fn = (...args: unknown[]) => unknown;
type JexlExpression = ReturnType<InstanceType<typeof jexl.Jexl>['compile']>;

/**
 * The jexl instance that evaluates translated expressions (see jexl-translator.ts): its grammar holds
 * exactly the operators and functions the translation emits, all with expr-lang semantics.
 */
const engine = new jexl.Jexl();
const grammar = engine._grammar;

// jexl wraps errors that cross an argument list in a new Error; the first one thrown is the one to report.
let firstError: unknown;

function guarded(fn: Fn): Fn {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      firstError ??= error;
      throw error;
    }
  };
}

const eager = (fn: (a: unknown, b: unknown) => unknown) => ({ type: 'binaryOp' as const, precedence: 20, eval: guarded(fn as Fn) });
const lazy = (fn: (a: LazyOperand, b: LazyOperand) => unknown) => ({ type: 'binaryOp' as const, precedence: 10, evalOnDemand: guarded(fn as Fn) });

Object.assign(grammar.elements, {
  '==': eager(ops.equal),
  '!=': eager((a, b) => !ops.equal(a, b)),
  '<': eager((a, b) => ops.compare('<', a, b)),
  '<=': eager((a, b) => ops.compare('<=', a, b)),
  '>': eager((a, b) => ops.compare('>', a, b)),
  '>=': eager((a, b) => ops.compare('>=', a, b)),
  '+': eager(ops.add),
  '-': eager(ops.subtract),
  '*': eager(ops.multiply),
  '/': eager(ops.divide),
  '%': eager(ops.modulo),
  '^': eager(ops.power),
  in: eager(ops.isIn),
  '&&': lazy((a, b) => ops.bool(force(a.eval()), 'and') && ops.bool(force(b.eval()), 'and')),
  '||': lazy((a, b) => ops.bool(force(a.eval()), 'or') || ops.bool(force(b.eval()), 'or')),
  '??': lazy((a, b) => force(a.eval()) ?? force(b.eval())),
});
delete grammar.elements['//'];
for (const name of PREDICATE_BUILTINS.keys()) grammar.elements[`@${name}`] = lazy((a, b) => runPredicate(name, a, b));

const functions: Record<string, Fn> = {
  x_path: (o, keys) => getPath(o, keys as readonly (string | number)[]),
  x_get: getMember,
  x_slice: slice,
  x_call: (receiver, name, optional, ...args) => callMethod(receiver, name, optional, ...args),
  x_map: makeMap,
  u_not: ops.not,
  u_neg: ops.negate,
  u_pos: ops.plus,
  u_bool: (v) => ops.bool(v, 'the condition of ?:'),
  s_contains: ops.contains,
  s_startsWith: ops.startsWith,
  s_endsWith: ops.endsWith,
  s_matches: matches,
  i_range: ops.range,
  i_now: (time) => (isHostNamespace(time) && typeof time.Now === 'function' ? (time.Now as Fn)() : defaultHost.time.Now()),
  p_item: currentItem,
  p_index: currentIndex,
};
for (const [name, builtin] of BUILTINS) functions[`b_${name}`] = builtin.fn;
for (const [name, fn] of Object.entries(functions)) grammar.functions[name] = guarded(fn);

export function compileJexl(text: string): JexlExpression {
  return engine.compile(text);
}

/** Evaluates synchronously; any failure comes out as an ExpressionError. `undefined` (nil) becomes `null`. */
export function runJexl(expression: JexlExpression, context: object): unknown {
  const depth = scopeDepth();
  firstError = undefined;
  try {
    const value: unknown = expression.evalSync(context as Record<string, unknown>);
    return value === undefined ? null : value;
  } catch (error) {
    throw toExpressionError(firstError ?? error);
  } finally {
    firstError = undefined;
    unwindScopes(depth);
  }
}
