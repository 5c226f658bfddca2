import Handlebars from 'handlebars';
import { TemplateError } from '../errors.ts';
import { functionStatus, templateFunctions } from './function-catalog.ts';
import { checkArgCount, convertArg, kindAt, type CallContext, type TemplateFunction } from './function-types.ts';
import { goSprint } from './go-format.ts';
import { RUNTIME_OPTIONS } from './go-handlebars-runtime.ts';
import { checkOutput, RenderLimitError, spendCall, spendResult, spendSteps } from './render-budget.ts';
import { checkPattern } from './sprig-regex.ts';
import { errorMessage, type SourcePosition, type TemplateErrors } from './template-errors.ts';
import { registerHostNamespaces } from './template-values.ts';

/**
 * Native handlebars templates (`{{pod.metadata.name}}`, `{{#if}}`, `{{#each}}`), with Herald's functions
 * as helpers (`{{upper pod.metadata.name}}`). Printing a missing field is a render error naming it; in
 * `#if`, `#unless`, `#each` and `#with` a missing field is simply false or empty.
 * Every `{{…}}` prints through Herald's `_print` helper, so values print as Go prints them (`[1 2]`, times
 * via String) and handlebars never calls a function found in the data. Partials, decorators, hash
 * arguments, `lookup` and `log` are refused at compile time, and so is any path through `constructor`,
 * `__proto__` or another Object.prototype name; handlebars' prototype protections stay on.
 */

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const FORBIDDEN_NAMES = new Set(['prototype', ...Object.getOwnPropertyNames(Object.prototype)]);
const PRINT = '_print';
/** handlebars' parser slows down steeply with nesting (seconds at a few thousand levels); no real template nests this deep. */
const MAX_BLOCK_DEPTH = 100;

function checkNesting(source: string, errors: TemplateErrors): void {
  let depth = 0;
  for (const match of source.matchAll(/\{\{~?\s*([#^/])/g)) {
    depth += match[1] === '/' ? -1 : 1;
    if (depth > MAX_BLOCK_DEPTH) throw errors.unsupported(`blocks nested more than ${MAX_BLOCK_DEPTH} deep are not supported`, match.index);
  }
}

type Node = hbs.AST.Node & Record<string, unknown>;

/** Where a handlebars exception points, and its message without handlebars' own ` - line:column` tail. */
function exceptionDetails(error: unknown): { message: string; at: SourcePosition } {
  const e = error as { lineNumber?: unknown; column?: unknown };
  const message = errorMessage(error).replace(/ - \d+:\d+$/, '').replaceAll('\n', ' ');
  const line = typeof e.lineNumber === 'number' ? e.lineNumber : Number(/on line (\d+)/.exec(message)?.[1] ?? 1);
  return { message, at: { line, column: typeof e.column === 'number' ? e.column + 1 : 1 } };
}

function position(loc: hbs.AST.SourceLocation | undefined): SourcePosition {
  return loc === undefined ? { line: 1, column: 1 } : { line: loc.start.line, column: loc.start.column + 1 };
}

/** The helper a call names: a plain one-part path (not `@data`, `this.x` or `../x`). */
function helperName(path: unknown): string | undefined {
  const p = path as hbs.AST.PathExpression;
  return p.type === 'PathExpression' && !p.data && p.depth === 0 && p.parts.length === 1 && !/^(this|\.)/.test(p.original) ? p.parts[0] : undefined;
}

const isFunction = (name: string | undefined): name is string => name !== undefined && Object.hasOwn(templateFunctions, name);

/** Checks the tree and rewrites every mustache to print through `_print`; returns the helpers it calls. */
function prepare(root: Node, errors: TemplateErrors): Set<string> {
  const used = new Set<string>();
  const visit = (node: Node): void => {
    const at = position(node.loc);
    switch (node.type) {
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw errors.unsupported('handlebars partials ({{> …}}) are not supported', at);
      case 'Decorator':
      case 'DecoratorBlock':
        throw errors.unsupported('handlebars decorators ({{* …}}) are not supported', at);
      case 'BlockStatement':
        if (!BLOCK_HELPERS.has(helperName(node.path) ?? '')) {
          throw errors.unsupported(`block {{#${String((node.path as hbs.AST.PathExpression).original)}}} is not supported: use #if, #unless, #each or #with`, at);
        }
        break;
      case 'MustacheStatement':
      case 'SubExpression': {
        const name = helperName(node.path);
        const hasArgs = (node.params as unknown[]).length > 0 || ((node.hash as hbs.AST.Hash | undefined)?.pairs.length ?? 0) > 0;
        if ((node.hash as hbs.AST.Hash | undefined)?.pairs.length) throw errors.unsupported('hash arguments (key=value) are not supported', at);
        // `{{lookup}}` or `{{include}}` alone would read a field of that name; it is a call gone wrong.
        if (name !== undefined && (name === 'log' || functionStatus(name) === 'helm')) throw errors.unsupported(`helper ${JSON.stringify(name)} is not supported`, at);
        if ((hasArgs || node.type === 'SubExpression') && !isFunction(name)) {
          throw errors.unsupported(`helper ${JSON.stringify(name ?? (node.path as hbs.AST.PathExpression).original)} is not supported`, at);
        }
        if (isFunction(name)) {
          used.add(name);
          checkLiteralPattern(name, node.params as hbs.AST.Expression[], errors);
        }
        if (node.type === 'MustacheStatement') rewriteToPrint(node, isFunction(name));
        break;
      }
      case 'PathExpression':
        for (const part of node.parts as string[]) {
          if (FORBIDDEN_NAMES.has(part)) throw errors.unsupported(`property ${JSON.stringify(part)} is not accessible from templates`, at);
        }
        return;
      default:
        break;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'loc') continue;
      for (const item of Array.isArray(child) ? child : [child]) {
        if (typeof item === 'object' && item !== null && typeof (item as Node).type === 'string') visit(item as Node);
      }
    }
  };
  visit(root);
  return used;
}

/** A literal regular expression given to a regex function must compile, as in Go templates. */
function checkLiteralPattern(name: string, params: readonly hbs.AST.Expression[], errors: TemplateErrors): void {
  const index = templateFunctions[name]?.pattern;
  const param = index === undefined ? undefined : params[index];
  if (param?.type !== 'StringLiteral') return;
  try {
    checkPattern((param as hbs.AST.StringLiteral).value);
  } catch (error) {
    throw errors.syntax(`${name}: ${errorMessage(error)}`, position(param.loc));
  }
}

/** `{{f a}}` becomes `{{_print (f a)}}`; `{{a.b}}` becomes `{{_print a.b "a.b"}}`, the text naming a missing field. */
function rewriteToPrint(node: Node, isCall: boolean): void {
  const loc = node.loc;
  const target = node.path as hbs.AST.PathExpression;
  node.params = isCall
    ? [{ type: 'SubExpression', path: target, params: node.params, hash: node.hash, loc }]
    : [target, { type: 'StringLiteral', value: target.original, original: target.original, loc }];
  node.hash = undefined;
  node.path = { type: 'PathExpression', data: false, depth: 0, parts: [PRINT], original: PRINT, loc };
}

function helper(name: string, definition: TemplateFunction, context: CallContext, errors: TemplateErrors): Handlebars.HelperDelegate {
  return (...args: unknown[]): unknown => {
    const options = args.pop() as { loc?: hbs.AST.SourceLocation };
    spendCall(args);
    let result: unknown;
    try {
      checkArgCount(name, definition, args.length);
      result = definition.lazy === true
        ? definition.fn(args.map((a) => () => a), context)
        : definition.fn(
          args.map((a, i) => convertArg(kindAt(definition, i), a)),
          context,
        );
    } catch (error) {
      if (error instanceof RenderLimitError) throw error;
      throw errors.runtime(`error calling ${name}: ${errorMessage(error)}`, position(options.loc), error);
    }
    spendResult(result);
    return result;
  };
}

function printer(errors: TemplateErrors): Handlebars.HelperDelegate {
  return (value: unknown, ...rest: unknown[]): string => {
    const options = rest.pop() as { loc?: hbs.AST.SourceLocation };
    const field = rest[0] as string | undefined;
    spendSteps(1);
    if (value === undefined && field !== undefined) throw errors.runtime(`${JSON.stringify(field)} is not defined`, position(options.loc));
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'function') throw errors.runtime(`can't print ${field ?? 'a value'} of type func`, position(options.loc));
    return goSprint(value);
  };
}

/** The block's options with a body that counts a step per run and bounds what the runs put together. */
function counted(options: Handlebars.HelperOptions): Handlebars.HelperOptions {
  let length = 0;
  const fn = options.fn;
  const body = (context: unknown, runtime?: Handlebars.RuntimeOptions): string => {
    spendSteps(1);
    const text = fn(context, runtime);
    length += text.length;
    checkOutput(length);
    return text;
  };
  return { ...options, fn: body as Handlebars.TemplateDelegate };
}

/**
 * handlebars' own block helpers call a function they are given; these refuse it instead. Each run of a
 * block's body counts against the render's bounds (render-budget.ts).
 */
function guardBlockHelpers(env: typeof Handlebars, errors: TemplateErrors): void {
  for (const name of BLOCK_HELPERS) {
    const original = env.helpers[name];
    if (original === undefined) continue;
    env.registerHelper(name, function (this: unknown, ...args: unknown[]): unknown {
      const options = args.at(-1) as { loc?: hbs.AST.SourceLocation };
      if (typeof args[0] === 'function') throw errors.runtime(`{{#${name}}} of a function is not supported`, position(options.loc));
      spendSteps(1);
      args[args.length - 1] = counted(options as Handlebars.HelperOptions);
      return Reflect.apply(original, this, args) as unknown;
    });
  }
}

export function compileNativeHandlebars(source: string, errors: TemplateErrors, context: CallContext): (vars: Readonly<Record<string, unknown>>) => string {
  const env = Handlebars.create();
  env.unregisterHelper('lookup');
  env.unregisterHelper('log');
  guardBlockHelpers(env, errors);
  checkNesting(source, errors);
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (error) {
    const { message, at } = exceptionDetails(error);
    throw errors.syntax(message, at, error);
  }
  const knownHelpers: Record<string, boolean> = { lookup: false, log: false, [PRINT]: true };
  env.registerHelper(PRINT, printer(errors));
  for (const name of prepare(ast as unknown as Node, errors)) {
    const definition = templateFunctions[name];
    if (definition === undefined) continue;
    env.registerHelper(name, helper(name, definition, context, errors));
    knownHelpers[name] = true;
  }
  const options: CompileOptions = { noEscape: true, knownHelpers, knownHelpersOnly: true };
  try {
    // The same compiler as `compile`'s, which compiles lazily on the first render: errors show at load.
    env.precompile(ast, options);
  } catch (error) {
    const { message, at } = exceptionDetails(error);
    throw errors.syntax(message, at, error);
  }
  const template = env.compile(ast, options);
  return (vars) => {
    registerHostNamespaces(vars);
    try {
      return template(vars, RUNTIME_OPTIONS);
    } catch (error) {
      if (error instanceof TemplateError || error instanceof RenderLimitError) throw error;
      const { message, at } = exceptionDetails(error);
      throw errors.runtime(message, at, error);
    }
  };
}
