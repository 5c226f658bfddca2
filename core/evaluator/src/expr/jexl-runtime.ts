import jexl from 'jexl';
import { isHostNamespace } from '../host/host-functions.ts';
import { BUILTINS } from './builtin-functions.ts';
import { resetBudget, spend, spendText } from './evaluation-budget.ts';
import { matches } from './go-regex.ts';
import { callMethod, defaultHost } from './method-call.ts';
import * as ops from './operators.ts';
import { bindingDepth, boundValue, runLet, unwindBindings } from './let-bindings.ts';
import { currentAcc, currentIndex, currentItem, force, PREDICATE_BUILTINS, runPredicate, scopeDepth, unwindScopes, WithExtraArgument, type LazyOperand } from './predicate-builtins.ts';
import { toExpressionError } from './runtime-error.ts';
import { endChain, getMember, getPath, makeMap, slice } from './value-access.ts';

type Fn = (...args: unknown[]) => unknown;
type JexlExpression = ReturnType<InstanceType<typeof jexl.Jexl>['compile']>;

/**
 * jexl's documented API (README: `addBinaryOp(operator, precedence, fn, [manualEval])`, `removeOp`,
 * `addFunctions`). @types/jexl 2.3 leaves out `manualEval`, which lazy operators need, so the instance is
 * seen through this interface; nothing here touches jexl's private state.
 */
interface JexlApi {
  addBinaryOp(operator: string, precedence: number, fn: Fn, manualEval?: boolean): void;
  removeOp(operator: string): void;
  addFunctions(map: Record<string, Fn>): void;
  compile(expression: string): JexlExpression;
}

/**
 * The jexl instance that evaluates translated expressions (see jexl-translator.ts): it holds exactly the
 * operators and functions the translation emits, all with expr-lang semantics. The translation
 * parenthesises everything, so precedences only need to be valid.
 */
const engine: JexlApi = new jexl.Jexl() as unknown as JexlApi;

// jexl wraps errors that cross an argument list in a new Error; the first one thrown is the one to report.
let firstError: unknown;

/** Every call costs one step of the evaluation's budget; the first error is kept for the report. */
function guarded(fn: Fn): Fn {
  return (...args) => {
    try {
      spend(1);
      return fn(...args);
    } catch (error) {
      firstError ??= error;
      throw error;
    }
  };
}

const EAGER: ReadonlyArray<readonly [string, (a: unknown, b: unknown) => unknown]> = [
  ['==', ops.equal],
  ['!=', (a, b) => !ops.equal(a, b)],
  ['<', (a, b) => ops.compare('<', a, b)],
  ['<=', (a, b) => ops.compare('<=', a, b)],
  ['>', (a, b) => ops.compare('>', a, b)],
  ['>=', (a, b) => ops.compare('>=', a, b)],
  ['+', ops.add],
  ['-', ops.subtract],
  ['*', ops.multiply],
  ['/', ops.divide],
  ['%', ops.modulo],
  ['^', ops.power],
  ['in', ops.isIn],
];
const LAZY: ReadonlyArray<readonly [string, (a: LazyOperand, b: LazyOperand) => unknown]> = [
  ['&&', (a, b) => ops.bool(force(a.eval()), 'and') && ops.bool(force(b.eval()), 'and')],
  ['||', (a, b) => ops.bool(force(a.eval()), 'or') || ops.bool(force(b.eval()), 'or')],
  ['??', (a, b) => force(a.eval()) ?? force(b.eval())],
  ['@let', runLet],
  ...[...PREDICATE_BUILTINS.keys()].map((name) => [`@${name}`, (a: LazyOperand, b: LazyOperand) => runPredicate(name, a, b)] as const),
];

for (const [op, fn] of EAGER) engine.addBinaryOp(op, 20, guarded(fn as Fn));
for (const [op, fn] of LAZY) engine.addBinaryOp(op, 10, guarded(fn as Fn), true);
// jexl's integer division has no expr-lang counterpart (`//` is a comment there).
engine.removeOp('//');

/** A function also costs the text it reads and the text or list it builds (`toJSON`, `split`, `matches`…). */
function charged(fn: Fn): Fn {
  return (...args) => {
    for (const arg of args) if (typeof arg === 'string') spendText(arg.length);
    const result = fn(...args);
    if (typeof result === 'string') spendText(result.length);
    else if (Array.isArray(result)) spend(result.length);
    return result;
  };
}

const functions: Record<string, Fn> = {
  x_path: (o, keys, optional) => getPath(o, keys as readonly (string | number)[], optional as readonly boolean[]),
  x_get: (o, key, optional) => getMember(o, key, optional === true),
  x_chain: endChain,
  x_slice: slice,
  x_call: charged((receiver, name, optional, ...args) => callMethod(receiver, name, optional, ...args)),
  x_map: makeMap,
  x_seq: (...values) => values.at(-1),
  x_with: (items, extra) => new WithExtraArgument(items, extra),
  l_get: boundValue,
  u_not: ops.not,
  u_neg: ops.negate,
  u_pos: ops.plus,
  u_bool: (v) => ops.bool(v, 'the condition of ?:'),
  s_contains: charged(ops.contains),
  s_startsWith: charged(ops.startsWith),
  s_endsWith: charged(ops.endsWith),
  s_matches: charged(matches),
  i_range: ops.range,
  i_now: (time) => (isHostNamespace(time) && typeof time.Now === 'function' ? (time.Now as Fn)() : defaultHost.time.Now()),
  p_item: currentItem,
  p_index: currentIndex,
  p_acc: currentAcc,
};
for (const [name, builtin] of BUILTINS) functions[`b_${name}`] = charged(builtin.fn);
engine.addFunctions(Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, guarded(fn)])));

export function compileJexl(text: string): JexlExpression {
  return engine.compile(text);
}

/**
 * Evaluates synchronously within the step budget (evaluation-budget.ts); any failure, the budget running
 * out included, comes out as an ExpressionError. `undefined` (nil) becomes `null`.
 */
export function runJexl(expression: JexlExpression, context: object): unknown {
  const depth = scopeDepth();
  const bound = bindingDepth();
  firstError = undefined;
  resetBudget();
  try {
    const value: unknown = expression.evalSync(context as Record<string, unknown>);
    return value === undefined ? null : value;
  } catch (error) {
    throw toExpressionError(firstError ?? error);
  } finally {
    firstError = undefined;
    unwindScopes(depth);
    unwindBindings(bound);
  }
}
