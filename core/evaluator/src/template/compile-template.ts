import { TemplateError } from '../errors.ts';
import { systemClock } from '@herald/plugin-sdk';
import type { HostClock } from '../host/index.ts';
import { functionStatus } from './function-catalog.ts';
import { PipelineCompiler } from './go-evaluator.ts';
import { buildGoHandlebarsProgram } from './go-handlebars-program.ts';
import { compileGoHandlebars } from './go-handlebars-runtime.ts';
import { parseGoTemplate } from './go-parser.ts';
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
    const tree = parseGoTemplate(source, errors, functionStatus);
    const program = buildGoHandlebarsProgram(tree, new PipelineCompiler(errors, context));
    return new Template(name, source, syntax, compileGoHandlebars(program), errors);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    // A template nested deeply enough to overflow the parser's stack is refused like a syntax error.
    throw errors.syntax(`template cannot be compiled: ${errorMessage(error)}`, 0, error);
  }
}
