import type { ExprNode } from './expr-ast.ts';
import { BUILTINS } from './builtin-functions.ts';
import { compileGoRegex, type GoRegex } from './go-regex.ts';
import { CALLABLE_NAMES } from './method-call.ts';
import { PREDICATE_BUILTINS } from './predicate-builtins.ts';
import { syntaxError } from './syntax-error.ts';

/**
 * jexl source for a parsed expression. The text holds only operators, parentheses, commas, brackets and
 * generated names: `kN` constants and `vN` variables (looked up in the context object built per
 * evaluation) and the runtime's functions. So no user text is ever lexed by jexl, no jexl member access or
 * filter is ever used (all access goes through the safe runtime functions), and precedence is explicit.
 */
export interface JexlTranslation {
  readonly text: string;
  /** Value of constant `k${i}`. */
  readonly constants: readonly unknown[];
  /** Variable name read into `v${i}`. */
  readonly variables: readonly string[];
}

/** expr-lang operators that map onto a jexl binary operator of the runtime grammar. */
const JEXL_OPERATORS: ReadonlyMap<string, string> = new Map([
  ['==', '=='], ['!=', '!='], ['<', '<'], ['<=', '<='], ['>', '>'], ['>=', '>='],
  ['+', '+'], ['-', '-'], ['*', '*'], ['/', '/'], ['%', '%'], ['**', '^'], ['^', '^'],
  ['in', 'in'], ['and', '&&'], ['&&', '&&'], ['or', '||'], ['||', '||'], ['??', '??'],
]);
/** expr-lang operators evaluated by a runtime function. */
const FUNCTION_OPERATORS: ReadonlyMap<string, string> = new Map([
  ['contains', 's_contains'], ['startsWith', 's_startsWith'], ['endsWith', 's_endsWith'], ['matches', 's_matches'], ['..', 'i_range'],
]);
const UNARY_FUNCTIONS: ReadonlyMap<string, string> = new Map([['not', 'u_not'], ['!', 'u_not'], ['-', 'u_neg'], ['+', 'u_pos']]);
const MAX_DEPTH = 200;

export function translateToJexl(source: string, root: ExprNode): JexlTranslation {
  const constants: unknown[] = [];
  const constantSlots = new Map<unknown, number>();
  const variables: string[] = [];
  // The `let` names in scope where emit is, outermost first; a binding is read by its index here.
  const lets: string[] = [];
  let depth = 0;

  const constant = (value: unknown): string => {
    const key = typeof value === 'object' && value !== null ? Symbol('object') : value;
    let slot = constantSlots.get(key);
    if (slot === undefined) {
      slot = constants.push(value) - 1;
      constantSlots.set(key, slot);
    }
    return `k${slot}`;
  };
  const variable = (name: string): string => {
    let slot = variables.indexOf(name);
    if (slot < 0) slot = variables.push(name) - 1;
    return `v${slot}`;
  };
  const fail = (node: ExprNode, message: string): never => {
    throw syntaxError(source, node.pos, message);
  };

  const emit = (node: ExprNode): string => {
    if (++depth > MAX_DEPTH) fail(node, 'expression nested too deeply');
    try {
      return emitNode(node);
    } finally {
      depth -= 1;
    }
  };

  const emitNode = (node: ExprNode): string => {
    switch (node.type) {
      case 'literal':
        return typeof node.value === 'boolean' ? String(node.value) : constant(node.value);
      case 'name': {
        const binding = lets.lastIndexOf(node.name);
        return binding >= 0 ? `l_get(${constant(binding)})` : variable(node.name);
      }
      case 'pointer':
        if (node.name === '') return 'p_item()';
        if (node.name === 'index') return 'p_index()';
        if (node.name === 'acc') return 'p_acc()';
        return fail(node, `unknown pointer "#${node.name}"`);
      case 'let': {
        const value = emit(node.value);
        lets.push(node.name);
        try {
          return `((${value}) @let (${emit(node.body)}))`;
        } finally {
          lets.pop();
        }
      }
      case 'sequence':
        return `x_seq(${node.nodes.map(emit).join(', ')})`;
      case 'member':
        return emitMember(node);
      case 'chain':
        return `x_chain(${emit(node.node)})`;
      case 'slice':
        return `x_slice(${emit(node.object)}, ${node.from ? emit(node.from) : constant(null)}, ${node.to ? emit(node.to) : constant(null)})`;
      case 'call':
        return emitCall(node);
      case 'method': {
        if (!CALLABLE_NAMES.has(node.name)) fail(node, `unknown method ${JSON.stringify(node.name)}`);
        if (node.object.type === 'literal' || node.object.type === 'array' || node.object.type === 'map') {
          fail(node, `cannot call ${node.name}() on a literal`);
        }
        const args = node.args.map((a) => `, ${emit(a)}`).join('');
        return `x_call(${emit(node.object)}, ${constant(node.name)}, ${String(node.optional)}${args})`;
      }
      case 'unary':
        return `${UNARY_FUNCTIONS.get(node.op) ?? fail(node, `unknown operator ${node.op}`)}(${emit(node.operand)})`;
      case 'binary':
        return emitBinary(node);
      case 'conditional':
        return `((u_bool(${emit(node.test)})) ? (${emit(node.then)}) : (${emit(node.otherwise)}))`;
      case 'array':
        return isConstant(node) ? constant(constantValue(node)) : `[${node.items.map(emit).join(', ')}]`;
      case 'map':
        if (isConstant(node)) return constant(constantValue(node));
        return `x_map(${node.entries.map((e) => `${emit(e.key)}, ${emit(e.value)}`).join(', ')})`;
      case 'predicate':
        return fail(node, 'a predicate is only allowed as an argument of all, any, filter, map…');
    }
  };

  /** Runs of constant keys (`a.b.c`, `a[0]`) become one `x_path` call with the keys as a constant. */
  const emitMember = (node: Extract<ExprNode, { type: 'member' }>): string => {
    const keys: (string | number)[] = [];
    const optional: boolean[] = [];
    let base: ExprNode = node;
    while (base.type === 'member' && base.property.type === 'literal' && base.property.value !== null && typeof base.property.value !== 'boolean') {
      keys.unshift(base.property.value);
      optional.unshift(base.optional);
      base = base.object;
    }
    if (keys.length > 0) return `x_path(${emit(base)}, ${constant(Object.freeze(keys))}, ${constant(Object.freeze(optional))})`;
    return `x_get(${emit(node.object)}, ${emit(node.property)}, ${String(node.optional)})`;
  };


  const emitCall = (node: Extract<ExprNode, { type: 'call' }>): string => {
    const predicate = PREDICATE_BUILTINS.get(node.name);
    if (predicate !== undefined) {
      const [array, body, extra] = node.args;
      if (array === undefined) return fail(node, `${node.name}() needs an array`);
      const bodyText = body?.type === 'predicate' ? emit(body.body) : 'p_item()';
      const operand = extra === undefined ? emit(array) : `x_with(${emit(array)}, ${emit(extra)})`;
      return `((${operand}) @${node.name} (${bodyText}))`;
    }
    if (node.name === 'now') {
      if (node.args.length > 0) fail(node, 'now() takes no arguments');
      return `i_now(${variable('time')})`;
    }
    const builtin = BUILTINS.get(node.name);
    if (builtin === undefined) return fail(node, `unknown function ${JSON.stringify(node.name)}`);
    if (node.args.length < builtin.min || node.args.length > builtin.max) {
      const expected = builtin.min === builtin.max ? String(builtin.min) : builtin.max === Infinity ? `at least ${builtin.min}` : `${builtin.min} to ${builtin.max}`;
      fail(node, `${node.name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${node.args.length}`);
    }
    return `b_${node.name}(${node.args.map(emit).join(', ')})`;
  };

  const emitBinary = (node: Extract<ExprNode, { type: 'binary' }>): string => {
    const logic = LOGIC.get(node.op);
    if (logic !== undefined) {
      const folded = foldLogic(logic, node.left, node.right);
      if (folded !== undefined) return typeof folded === 'boolean' ? String(folded) : emit(folded);
    }
    if (node.op === 'matches' && node.right.type === 'literal' && typeof node.right.value === 'string') {
      let regex: GoRegex;
      try {
        regex = compileGoRegex(node.right.value);
      } catch (error) {
        return fail(node.right, `invalid regular expression ${JSON.stringify(node.right.value)}: ${(error as Error).message}`);
      }
      return `s_matches(${emit(node.left)}, ${constant(regex)})`;
    }
    const fn = FUNCTION_OPERATORS.get(node.op);
    if (fn !== undefined) return `${fn}(${emit(node.left)}, ${emit(node.right)})`;
    const op = JEXL_OPERATORS.get(node.op) ?? fail(node, `unknown operator ${node.op}`);
    return `((${emit(node.left)}) ${op} (${emit(node.right)}))`;
  };

  const text = emit(root);
  return { text, constants, variables };
}

const LOGIC: ReadonlyMap<string, 'and' | 'or'> = new Map([['and', 'and'], ['&&', 'and'], ['or', 'or'], ['||', 'or']]);

/**
 * expr-lang's optimizer folds `and`/`or` with a constant bool side before anything runs: `x and true` is
 * `x` (whatever x is, bool or not), `x or true` is `true` (x never runs), `false and x` is `false`…
 * Returns the folded node or bool, or undefined when neither side is constant.
 */
function foldLogic(op: 'and' | 'or', left: ExprNode, right: ExprNode): ExprNode | boolean | undefined {
  const a = boolConstant(left);
  const b = boolConstant(right);
  const identity = op === 'and';
  if (a === identity) return b ?? right;
  if (b === identity) return a ?? left;
  if (a === !identity || b === !identity) return !identity;
  return undefined;
}

/** The bool a node folds to, as expr-lang's optimizer sees it: `true`, `not false`, `x or true`… */
function boolConstant(node: ExprNode): boolean | undefined {
  if (node.type === 'literal') return typeof node.value === 'boolean' ? node.value : undefined;
  if (node.type === 'unary' && (node.op === 'not' || node.op === '!')) {
    const inner = boolConstant(node.operand);
    return inner === undefined ? undefined : !inner;
  }
  if (node.type !== 'binary') return undefined;
  const logic = LOGIC.get(node.op);
  if (logic === undefined) return undefined;
  const folded = foldLogic(logic, node.left, node.right);
  return typeof folded === 'boolean' ? folded : folded === undefined ? undefined : boolConstant(folded);
}

function isConstant(node: ExprNode): boolean {
  if (node.type === 'literal') return true;
  if (node.type === 'array') return node.items.every(isConstant);
  if (node.type === 'map') return node.entries.every((e) => e.key.type === 'literal' && e.key.value !== null && isConstant(e.value));
  return false;
}

/** A literal array or map, built once and frozen so a caller cannot change it for the next evaluation. */
function constantValue(node: ExprNode): unknown {
  if (node.type === 'literal') return node.value;
  if (node.type === 'array') return Object.freeze(node.items.map(constantValue));
  if (node.type !== 'map') return undefined;
  const map = Object.create(null) as Record<string, unknown>;
  for (const { key, value } of node.entries) {
    Object.defineProperty(map, String((key as { value: unknown }).value), { value: constantValue(value), enumerable: true });
  }
  return Object.freeze(map);
}
