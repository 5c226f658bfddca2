import { TemplateError } from '../errors.ts';
import { systemClock } from '@herald/plugin-sdk';
import type { HostClock } from '../host/index.ts';
import { functionStatus } from './function-catalog.ts';
import type { CallContext } from './function-types.ts';
import type { GoTemplateSet } from './go-ast.ts';
import { PipelineCompiler, type TemplateLookup } from './go-evaluator.ts';
import { buildGoHandlebarsProgram } from './go-handlebars-program.ts';
import { compileGoHandlebars, type GoRender } from './go-handlebars-runtime.ts';
import { parseGoTemplate } from './go-parser.ts';
import { goTemplateName } from './go-template-name.ts';
import { compileNativeHandlebars } from './native-handlebars.ts';
import { checkOutput, RenderLimitError, startRender } from './render-budget.ts';
import { detectSyntax, type TemplateSyntax } from './syntax-detection.ts';
import { errorMessage, TemplateErrors } from './template-errors.ts';

export interface CompiledTemplate {
  /** How errors name the template, e.g. `template.pod-ready: webhook.webhook.body`. */
  readonly name: string;
  readonly source: string;
  /**
   * Text, as Go's text/template would produce it; throws TemplateError (`HERALD_ERR_TEMPLATE_RUNTIME`),
   * also when the render reaches its bounds (render-budget.ts: steps and output size).
   */
  render(vars: Readonly<Record<string, unknown>>): string;
}

export interface CompileTemplateOptions {
  /** Where `now`, `ago` and `date` of nil read the time; the system clock by default. */
  readonly clock?: HostClock;
}

class Template implements CompiledTemplate {
  readonly name: string;
  readonly source: string;
  readonly syntax: TemplateSyntax;
  readonly #run: (vars: Readonly<Record<string, unknown>>) => string;
  readonly #errors: TemplateErrors;

  constructor(name: string, source: string, syntax: TemplateSyntax, run: (vars: Readonly<Record<string, unknown>>) => string, errors: TemplateErrors) {
    this.name = name;
    this.source = source;
    this.syntax = syntax;
    this.#run = run;
    this.#errors = errors;
  }

  render(vars: Readonly<Record<string, unknown>>): string {
    startRender();
    try {
      const text = this.#run(vars);
      checkOutput(text.length);
      return text;
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      if (error instanceof RenderLimitError) throw this.#errors.runtime(error.message, 0, error);
      // Deep data can overflow the stack; anything else here is a Herald bug, still reported per template.
      throw this.#errors.runtime(`render failed: ${errorMessage(error)}`, 0, error);
    }
  }
}

/**
 * Compiles a template once, at config load: Go text/template syntax (what Argo configs use) or native
 * handlebars, told apart by `detectSyntax`. Syntax errors and unsupported constructs throw TemplateError
 * here, with line and column, never on first render.
 */
export function compileTemplate(source: string, name: string, options: CompileTemplateOptions = {}): CompiledTemplate {
  const errors = new TemplateErrors(name, source);
  const context = { clock: options.clock ?? systemClock };
  try {
    if (typeof source !== 'string') throw errors.syntax(`template source must be a string, got ${typeof source}`, 0);
    const syntax = detectSyntax(source, errors, (fn) => functionStatus(fn) !== 'unknown');
    if (syntax === 'handlebars') return new Template(name, source, syntax, compileNativeHandlebars(source, errors, context), errors);
    const set = parseGoTemplate(source, errors, functionStatus, goTemplateName(name));
    return new Template(name, source, syntax, compileGoTemplateSet(set, errors, context), errors);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    // A template nested deeply enough to overflow the parser's stack is refused like a syntax error.
    throw errors.syntax(`template cannot be compiled: ${errorMessage(error)}`, 0, error);
  }
}

/** Compiles every template of the set, each able to call the others (and itself) by name; returns the main one. */
function compileGoTemplateSet(set: GoTemplateSet, errors: TemplateErrors, context: CallContext): GoRender {
  const renders = new Map<string, GoRender>();
  const lookup: TemplateLookup = (templateName) => renders.get(templateName);
  const compile = (tree: GoTemplateSet['main'], templateName?: string): GoRender =>
    compileGoHandlebars(buildGoHandlebarsProgram(tree, new PipelineCompiler(errors, context, tree === set.text ? undefined : templateName), lookup));
  for (const [templateName, tree] of set.defined) renders.set(templateName, compile(tree, templateName));
  const main = [...set.defined].find(([, tree]) => tree === set.main);
  return main === undefined ? compile(set.main) : (renders.get(main[0]) ?? compile(set.main));
}
