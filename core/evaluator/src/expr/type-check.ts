import type { ExprNode } from './expr-ast.ts';
import { BUILTINS } from './builtin-functions.ts';
import { PREDICATE_BUILTINS } from './predicate-builtins.ts';
import { syntaxError } from './syntax-error.ts';

/**
 * The load-time type checks expr-lang v1.17 makes (its checker), for what the types are known of. Argo's
 * engine compiles conditions without an environment, so every variable and object field is of unknown
 * type and passes; what is left are literals, operators on them, builtins with a known result type and
 * `let` bindings of those. Where expr-lang refuses such an expression when the config loads
 * (`'hello'[-1]`, `-true`, `nil ? a : b`, `upper(1)`, `#index` inside `filter`), Herald refuses it too, with
 * the reason and column; everything the checker would let through is left to run time, as there.
 */
export function checkTypes(source: string, root: ExprNode): void {
  new TypeChecker(source).visit(root);
}

/** A Go type as expr-lang's checker sees it. `unknown` is an untyped value (a variable); `any` is interface{}: both pass every check. */
interface Nature {
  readonly kind: 'unknown' | 'any' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'array' | 'map' | 'time' | 'duration';
  /** How Go prints the type, for messages. */
  readonly name: string;
  /** An array literal's element type, when all its elements are of one kind. */
  readonly elem?: Nature;
  /** A map's key type (a map literal's is string). */
  readonly key?: Nature;
}

const n = (kind: Nature['kind'], name: string): Nature => ({ kind, name });
const UNKNOWN = n('unknown', 'unknown');
const ANY = n('any', 'interface {}');
const NIL = n('nil', 'nil');
const BOOL = n('bool', 'bool');
const INT = n('int', 'int');
const FLOAT = n('float', 'float64');
const STRING = n('string', 'string');
const TIME = n('time', 'time.Time');
const DURATION = n('duration', 'time.Duration');
const ARRAY = n('array', '[]interface {}');
const STRINGS: Nature = { kind: 'array', name: '[]string', elem: STRING };
const MAP: Nature = { kind: 'map', name: 'map[string]interface {}', key: STRING };
const GROUPS: Nature = { kind: 'map', name: 'map[interface {}][]interface {}', key: ANY };

const isUnknown = (t: Nature): boolean => t.kind === 'unknown' || t.kind === 'any';
// time.Duration is an int64 to the checker.
const isInteger = (t: Nature): boolean => t.kind === 'int' || t.kind === 'duration';
const isNumber = (t: Nature): boolean => isInteger(t) || t.kind === 'float';
type Check = 'bool' | 'string' | 'integer' | 'number' | 'time' | 'duration' | 'array' | 'map';
const is = (t: Nature, checks: readonly Check[]): boolean =>
  checks.some((c) => (c === 'integer' ? isInteger(t) : c === 'number' ? isNumber(t) : t.kind === c));
/** One side unknown and the other of an allowed kind, or both unknown. */
const maybe = (l: Nature, r: Nature, ...checks: Check[]): boolean =>
  (isUnknown(l) && isUnknown(r)) || (isUnknown(l) && is(r, checks)) || (isUnknown(r) && is(l, checks));

/** Go's reflect kind, which is what expr-lang compares in array literals and builtin validation. */
function reflectKind(t: Nature): string {
  switch (t.kind) {
    case 'unknown':
    case 'nil':
      return 'invalid';
    case 'any':
      return 'interface';
    case 'array':
      return 'slice';
    case 'time':
      return 'struct';
    case 'duration':
      return 'int64';
    default:
      return t.kind;
  }
}

function assignable(from: Nature, to: Nature): boolean {
  if (from.kind === 'nil') return ['any', 'array', 'map'].includes(to.kind);
  if (from.kind === 'unknown' || to.kind === 'unknown') return false;
  if (to.kind === 'any') return true;
  return from.name === to.name;
}

function comparable(l: Nature, r: Nature): boolean {
  return isUnknown(l) || isUnknown(r) || l.kind === 'nil' || r.kind === 'nil' || (isNumber(l) && isNumber(r)) ||
    (l.kind === 'array' && r.kind === 'array') || assignable(l, r);
}

/** An array's element: a literal's known element type, else what its Go type says. */
function element(t: Nature): Nature {
  if (t.kind !== 'array') return UNKNOWN;
  return t.elem ?? ANY;
}

/** The element type Go's reflect gives (what builtins' validation sees): a literal's is interface{}. */
function typeElement(t: Nature): Nature {
  return t.name === '[]string' ? STRING : ANY;
}

/** A builtin of fixed Go signatures (expr-lang tries each overload): parameter types and the result. */
interface Signature {
  readonly params: readonly Nature[];
  readonly out: Nature;
}
const sig = (out: Nature, ...params: Nature[]): Signature => ({ params, out });
const SIGNATURES: ReadonlyMap<string, readonly Signature[]> = new Map([
  ['upper', [sig(STRING, STRING)]],
  ['lower', [sig(STRING, STRING)]],
  ['trim', [sig(STRING, STRING), sig(STRING, STRING, STRING)]],
  ['trimPrefix', [sig(STRING, STRING, STRING), sig(STRING, STRING)]],
  ['trimSuffix', [sig(STRING, STRING, STRING), sig(STRING, STRING)]],
  ['split', [sig(STRINGS, STRING, STRING), sig(STRINGS, STRING, STRING, INT)]],
  ['splitAfter', [sig(STRINGS, STRING, STRING), sig(STRINGS, STRING, STRING, INT)]],
  ['replace', [sig(STRING, STRING, STRING, STRING, INT), sig(STRING, STRING, STRING, STRING)]],
  ['repeat', [sig(STRING, STRING, INT)]],
  ['indexOf', [sig(INT, STRING, STRING)]],
  ['lastIndexOf', [sig(INT, STRING, STRING)]],
  ['hasPrefix', [sig(BOOL, STRING, STRING)]],
  ['hasSuffix', [sig(BOOL, STRING, STRING)]],
  ['type', [sig(STRING, ANY)]],
  ['string', [sig(STRING, ANY)]],
  ['toJSON', [sig(STRING, ANY)]],
  ['fromJSON', [sig(ANY, STRING)]],
  ['toBase64', [sig(STRING, STRING)]],
  ['fromBase64', [sig(STRING, STRING)]],
  ['duration', [sig(DURATION, STRING)]],
]);

const NUMERIC_KINDS = ['int', 'int64', 'float'];

/**
 * Builtins expr-lang validates by the reflect kinds of their arguments (an untyped one is `interface`, nil
 * is `invalid`): the result type, or the error.
 */
const VALIDATED: ReadonlyMap<string, (args: readonly Nature[]) => Nature | string> = new Map<string, (args: readonly Nature[]) => Nature | string>([
  ['len', ([a = UNKNOWN]) => (['slice', 'map', 'string', 'interface'].includes(reflectKind(a)) ? INT : `invalid argument for len (type ${goName(a)})`)],
  ['abs', ([a = UNKNOWN]) => ([...NUMERIC_KINDS, 'interface'].includes(reflectKind(a)) ? a : `invalid argument for abs (type ${goName(a)})`)],
  ...(['ceil', 'floor', 'round'] as const).map((name) => [name, ([a = UNKNOWN]: readonly Nature[]) => ([...NUMERIC_KINDS, 'interface'].includes(reflectKind(a)) ? FLOAT : `invalid argument for ${name} (type ${goName(a)})`)] as const),
  ['int', ([a = UNKNOWN]) => ([...NUMERIC_KINDS, 'interface', 'string'].includes(reflectKind(a)) ? INT : `invalid argument for int (type ${goName(a)})`)],
  ['float', ([a = UNKNOWN]) => ([...NUMERIC_KINDS, 'interface', 'string'].includes(reflectKind(a)) ? FLOAT : `invalid argument for float (type ${goName(a)})`)],
  ...(['max', 'min', 'mean', 'median'] as const).map((name) => [name, (args: readonly Nature[]) => aggregate(name, args)] as const),
  ...(['first', 'last'] as const).map((name) => [name, ([a = UNKNOWN]: readonly Nature[]) => {
    const kind = reflectKind(a);
    if (kind === 'interface') return ANY;
    return kind === 'slice' ? typeElement(a) : `cannot get ${name} element from ${goName(a)}`;
  }] as const),
  ['take', ([a = UNKNOWN, count = UNKNOWN]) => {
    if (!['interface', 'slice'].includes(reflectKind(a))) return `cannot take from ${goName(a)}`;
    return ['interface', 'int', 'int64'].includes(reflectKind(count)) ? a : `cannot take ${goName(count)} elements`;
  }],
  ...(['keys', 'values'] as const).map((name) => [name, ([a = UNKNOWN]: readonly Nature[]) => (['interface', 'map'].includes(reflectKind(a)) ? ARRAY : `cannot get ${name} from ${goName(a)}`)] as const),
  ...(['reverse', 'uniq', 'flatten'] as const).map((name) => [name, ([a = UNKNOWN]: readonly Nature[]) => (['interface', 'slice'].includes(reflectKind(a)) ? ARRAY : `cannot ${name} ${goName(a)}`)] as const),
  ['concat', (args) => {
    const bad = args.find((a) => !['interface', 'slice'].includes(reflectKind(a)));
    return bad === undefined ? ARRAY : `cannot concat ${goName(bad)}`;
  }],
  ['now', () => TIME],
  ['date', () => TIME],
]);

function aggregate(name: string, args: readonly Nature[]): Nature | string {
  if (args.length === 0) return `not enough arguments to call ${name}`;
  for (const a of args) {
    const kind = reflectKind(a);
    if (kind === 'interface' || kind === 'slice') return ANY;
    if (!NUMERIC_KINDS.includes(kind)) return `invalid argument for ${name} (type ${goName(a)})`;
  }
  return args[0] ?? ANY;
}

/** How a reflect.Type prints in expr-lang's validation messages: an untyped value is interface{}, nil `<nil>`. */
function goName(t: Nature): string {
  if (t.kind === 'unknown') return 'interface {}';
  return t.kind === 'nil' ? '<nil>' : t.name;
}

/** Builtins whose predicate must give a bool. */
const BOOL_PREDICATES: ReadonlySet<string> = new Set(['all', 'none', 'any', 'one', 'filter', 'count', 'find', 'findIndex', 'findLast', 'findLastIndex']);

interface PredicateScope {
  readonly collection: Nature;
  /** `#index`, `#acc`: only map and reduce have them. */
  readonly pointers: ReadonlyMap<string, Nature>;
}

class TypeChecker {
  readonly #source: string;
  readonly #predicates: PredicateScope[] = [];
  readonly #lets: { readonly name: string; readonly nature: Nature }[] = [];

  constructor(source: string) {
    this.#source = source;
  }

  #fail(node: ExprNode, message: string): never {
    throw syntaxError(this.#source, node.pos, message);
  }

  visit(node: ExprNode): Nature {
    switch (node.type) {
      case 'literal':
        if (node.value === null) return NIL;
        if (typeof node.value === 'boolean') return BOOL;
        if (typeof node.value === 'string') return STRING;
        return node.float === true ? FLOAT : INT;
      case 'name':
        return this.#lets.findLast((l) => l.name === node.name)?.nature ?? UNKNOWN;
      case 'pointer':
        return this.#pointer(node);
      case 'member':
        return this.#member(node);
      case 'chain':
        return this.visit(node.node);
      case 'slice':
        return this.#slice(node);
      case 'call':
        return this.#call(node);
      case 'method':
        this.visit(node.object);
        node.args.forEach((a) => this.visit(a));
        return UNKNOWN;
      case 'unary':
        return this.#unary(node);
      case 'binary':
        return this.#binary(node);
      case 'conditional':
        return this.#conditional(node);
      case 'array':
        return this.#array(node);
      case 'map':
        for (const { key, value } of node.entries) {
          this.visit(key);
          this.visit(value);
        }
        return MAP;
      case 'predicate':
        return this.visit(node.body);
      case 'let':
        return this.#let(node);
      case 'sequence':
        return node.nodes.map((item) => this.visit(item)).at(-1) ?? UNKNOWN;
    }
  }

  #pointer(node: Extract<ExprNode, { type: 'pointer' }>): Nature {
    const scope = this.#predicates.at(-1);
    if (scope === undefined) return this.#fail(node, 'cannot use pointer accessor outside predicate');
    if (node.name === '') return isUnknown(scope.collection) ? UNKNOWN : element(scope.collection);
    return scope.pointers.get(node.name) ?? this.#fail(node, `unknown pointer #${node.name}`);
  }

  #member(node: Extract<ExprNode, { type: 'member' }>): Nature {
    const base = this.visit(node.object);
    const prop = this.visit(node.property);
    if (isUnknown(base)) return UNKNOWN;
    const name = node.property.type === 'literal' && typeof node.property.value === 'string' ? node.property.value : undefined;
    if (name !== undefined && base.kind === 'nil') return this.#fail(node, `type nil has no field ${name}`);
    if (base.kind === 'time' || base.kind === 'duration') return UNKNOWN; // their methods, as values
    if (base.kind === 'map') {
      const key = base.key ?? ANY;
      if (!assignable(prop, key) && !isUnknown(prop)) return this.#fail(node.property, `cannot use ${prop.name} to get an element from ${base.name}`);
      return ANY;
    }
    if (base.kind === 'array') {
      if (!isInteger(prop) && !isUnknown(prop)) return this.#fail(node.property, `array elements can only be selected using an integer (got ${prop.name})`);
      return element(base);
    }
    if (name !== undefined) return this.#fail(node, `type ${base.name} has no field ${name}`);
    return this.#fail(node, `type ${base.name}[${prop.name}] is undefined`);
  }

  #slice(node: Extract<ExprNode, { type: 'slice' }>): Nature {
    const base = this.visit(node.object);
    if (isUnknown(base)) return UNKNOWN;
    if (base.kind !== 'string' && base.kind !== 'array') return this.#fail(node, `cannot slice ${base.name}`);
    for (const bound of [node.from, node.to]) {
      if (bound === undefined) continue;
      const t = this.visit(bound);
      if (!isInteger(t) && !isUnknown(t)) return this.#fail(bound, `non-integer slice index ${t.name}`);
    }
    return base;
  }

  #unary(node: Extract<ExprNode, { type: 'unary' }>): Nature {
    const t = this.visit(node.operand);
    if (node.op === 'not' || node.op === '!') {
      if (t.kind === 'bool' || isUnknown(t)) return BOOL;
    } else {
      if (isNumber(t)) return t;
      if (isUnknown(t)) return UNKNOWN;
    }
    return this.#fail(node, `invalid operation: ${node.op} (mismatched type ${t.name})`);
  }

  #binary(node: Extract<ExprNode, { type: 'binary' }>): Nature {
    const l = this.visit(node.left);
    const r = this.visit(node.right);
    const result = binaryResult(node.op, l, r);
    if (typeof result === 'string') return this.#fail(node, result);
    return result ?? this.#fail(node, `invalid operation: ${node.op} (mismatched types ${l.name} and ${r.name})`);
  }

  #conditional(node: Extract<ExprNode, { type: 'conditional' }>): Nature {
    const test = this.visit(node.test);
    if (test.kind !== 'bool' && !isUnknown(test)) return this.#fail(node.test, `non-bool expression (type ${test.name}) used as condition`);
    const a = this.visit(node.then);
    const b = this.visit(node.otherwise);
    if (a.kind === 'nil') return b;
    if (b.kind === 'nil') return a;
    if (!assignable(a, b)) return UNKNOWN;
    return a.kind === 'array' && b.kind === 'array' && a.elem?.name !== b.elem?.name ? ARRAY : a;
  }

  #array(node: Extract<ExprNode, { type: 'array' }>): Nature {
    const items = node.items.map((item) => this.visit(item));
    const last = items.at(-1) ?? UNKNOWN;
    const sameKind = items.every((t) => reflectKind(t) === reflectKind(last));
    return sameKind ? { ...ARRAY, elem: last } : ARRAY;
  }

  #let(node: Extract<ExprNode, { type: 'let' }>): Nature {
    if (BUILTINS.has(node.name) || PREDICATE_BUILTINS.has(node.name) || node.name === 'now') return this.#fail(node, `cannot redeclare builtin ${node.name}`);
    if (this.#lets.some((l) => l.name === node.name)) return this.#fail(node, `cannot redeclare variable ${node.name}`);
    const nature = this.visit(node.value);
    this.#lets.push({ name: node.name, nature });
    try {
      return this.visit(node.body);
    } finally {
      this.#lets.pop();
    }
  }

  #call(node: Extract<ExprNode, { type: 'call' }>): Nature {
    if (PREDICATE_BUILTINS.has(node.name)) return this.#predicateCall(node);
    const args = node.args.map((a) => this.visit(a));
    const validate = VALIDATED.get(node.name);
    if (validate !== undefined) {
      // Validation sees an untyped argument as interface{}.
      const result = validate(args.map((a) => (a.kind === 'unknown' ? ANY : a)));
      return typeof result === 'string' ? this.#fail(node, result) : result;
    }
    const signatures = SIGNATURES.get(node.name);
    if (signatures === undefined) return UNKNOWN;
    let error: { at: ExprNode; message: string } | undefined;
    for (const signature of signatures) {
      error = this.#argumentError(node, signature, args);
      if (error === undefined) return signature.out;
    }
    return error === undefined ? UNKNOWN : this.#fail(error.at, error.message);
  }

  /** Why `args` do not fit `signature`, as expr-lang's checkArguments says it; undefined when they fit. */
  #argumentError(node: Extract<ExprNode, { type: 'call' }>, signature: Signature, args: readonly Nature[]): { at: ExprNode; message: string } | undefined {
    if (args.length > signature.params.length) return { at: node, message: `too many arguments to call ${node.name}` };
    if (args.length < signature.params.length) return { at: node, message: `not enough arguments to call ${node.name}` };
    for (const [i, arg] of args.entries()) {
      const param = signature.params[i] ?? ANY;
      const at = node.args[i] ?? node;
      if (param.kind === 'float' && arg.kind === 'int') continue;
      if (arg.kind === 'nil') {
        if (param.kind === 'any') continue;
        return { at, message: `cannot use nil as argument (type ${param.name}) to call ${node.name}` };
      }
      if (!assignable(arg, param) && !isUnknown(arg)) return { at, message: `cannot use ${arg.name} as argument (type ${param.name}) to call ${node.name}` };
    }
    return undefined;
  }

  #predicateCall(node: Extract<ExprNode, { type: 'call' }>): Nature {
    const [array, predicate, extra] = node.args;
    if (array === undefined) return UNKNOWN;
    const collection = this.visit(array);
    if (collection.kind !== 'array' && !isUnknown(collection)) return this.#fail(array, `builtin ${node.name} takes only array (got ${collection.name})`);
    if (predicate === undefined) return node.name === 'count' ? INT : isUnknown(collection) ? UNKNOWN : element(collection);
    const pointers = new Map<string, Nature>();
    if (node.name === 'map' || node.name === 'reduce') pointers.set('index', INT);
    if (node.name === 'reduce') pointers.set('acc', UNKNOWN);
    this.#predicates.push({ collection, pointers });
    let out: Nature;
    try {
      out = this.visit(predicate);
    } finally {
      this.#predicates.pop();
    }
    if (out.kind === 'nil') return this.#fail(predicate, 'predicate should has one input and one output param');
    if (BOOL_PREDICATES.has(node.name) && out.kind !== 'bool' && !isUnknown(out)) return this.#fail(predicate, `predicate should return boolean (got ${out.name})`);
    const extraType = extra === undefined ? undefined : this.visit(extra);
    if (node.name === 'sortBy' && extraType !== undefined && extraType.kind !== 'string' && !isUnknown(extraType)) {
      return this.#fail(extra as ExprNode, `sortBy order argument must be a string (got ${extraType.name})`);
    }
    switch (node.name) {
      case 'all': case 'none': case 'any': case 'one':
        return BOOL;
      case 'count': case 'findIndex': case 'findLastIndex':
        return INT;
      case 'filter': case 'map': case 'sortBy':
        return ARRAY;
      case 'groupBy':
        return GROUPS;
      case 'find': case 'findLast':
        return isUnknown(collection) ? UNKNOWN : element(collection);
      case 'reduce':
        return isUnknown(out) ? UNKNOWN : out;
      default:
        return UNKNOWN;
    }
  }
}

/** What expr-lang's checker gives `l op r`: a type, an error message, or undefined for "mismatched types". */
function binaryResult(op: string, l: Nature, r: Nature): Nature | string | undefined {
  const numeric = (): Nature => (isUnknown(l) || isUnknown(r) ? UNKNOWN : l.kind === 'float' || r.kind === 'float' ? FLOAT : INT);
  switch (op) {
    case '==': case '!=':
      return comparable(l, r) ? BOOL : undefined;
    case 'or': case '||': case 'and': case '&&':
      return (l.kind === 'bool' && r.kind === 'bool') || maybe(l, r, 'bool') ? BOOL : undefined;
    case '<': case '>': case '<=': case '>=':
      return (isNumber(l) && isNumber(r)) || (l.kind === 'string' && r.kind === 'string') || (l.kind === 'time' && r.kind === 'time') ||
        (l.kind === 'duration' && r.kind === 'duration') || maybe(l, r, 'number', 'string', 'time', 'duration') ? BOOL : undefined;
    case '-':
      if (isNumber(l) && isNumber(r)) return numeric();
      if (l.kind === 'time' && r.kind === 'time') return DURATION;
      if (l.kind === 'time' && r.kind === 'duration') return TIME;
      return maybe(l, r, 'number', 'time', 'duration') ? UNKNOWN : undefined;
    case '*':
      if (isNumber(l) && isNumber(r)) return numeric();
      return maybe(l, r, 'number', 'duration') ? UNKNOWN : undefined;
    case '/': case '**': case '^':
      return (isNumber(l) && isNumber(r)) || maybe(l, r, 'number') ? FLOAT : undefined;
    case '%':
      return (isInteger(l) && isInteger(r)) || maybe(l, r, 'integer') ? INT : undefined;
    case '+':
      if (isNumber(l) && isNumber(r)) return numeric();
      if (l.kind === 'string' && r.kind === 'string') return STRING;
      if ((l.kind === 'time' && r.kind === 'duration') || (l.kind === 'duration' && r.kind === 'time')) return TIME;
      return maybe(l, r, 'number', 'string', 'time', 'duration') ? UNKNOWN : undefined;
    case 'in':
      if (r.kind === 'map') {
        const key = r.key ?? ANY;
        return isUnknown(l) || assignable(l, key) ? BOOL : `cannot use ${l.name} as type ${key.name} in map key`;
      }
      if (r.kind === 'array') return comparable(l, element(r)) ? BOOL : `cannot use ${l.name} as type ${element(r).name} in array`;
      if (isUnknown(l) && is(r, ['string', 'array', 'map'])) return BOOL;
      return isUnknown(r) ? BOOL : undefined;
    case 'matches': case 'contains': case 'startsWith': case 'endsWith':
      return (l.kind === 'string' && r.kind === 'string') || maybe(l, r, 'string') ? BOOL : undefined;
    case '..':
      return (isInteger(l) && isInteger(r)) || maybe(l, r, 'integer') ? { ...ARRAY, name: '[]int', elem: INT } : undefined;
    case '??':
      if (l.kind === 'nil') return r;
      if (r.kind === 'nil') return l;
      return assignable(r, l) ? l : UNKNOWN;
    default:
      return UNKNOWN;
  }
}
