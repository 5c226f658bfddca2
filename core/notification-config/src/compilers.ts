/** An expression (`when`, `oncePer`) compiled once, evaluated many times. */
export interface CompiledExpression {
  readonly source: string;
  /** Throws on a runtime failure; the caller decides what a failed condition means. */
  evaluate(vars: Readonly<Record<string, unknown>>): unknown;
  /** Whether it reads the clock (`time.Now()`): its value can change while the object does not. */
  readonly readsClock?: boolean;
}

/** One string of a template, compiled once, rendered many times. */
export interface CompiledTemplate {
  /** How errors name it, e.g. `template.pod-ready: webhook.hook.body`. */
  readonly name: string;
  readonly source: string;
  render(vars: Readonly<Record<string, unknown>>): string;
}

/**
 * The languages the config is written in. They belong to the evaluator (core/evaluator's expr and template),
 * which depends on this package; so whoever needs compiled triggers and templates hands them in, and a
 * process given none (a sink) can read services but never compiles a trigger or a template.
 */
export interface ConfigCompilers {
  /** Throws an error whose message names the problem (and its column). */
  expression(source: string): CompiledExpression;
  /** Throws an error whose message starts with `name` and says where in the source the problem is. */
  template(source: string, name: string): CompiledTemplate;
}
