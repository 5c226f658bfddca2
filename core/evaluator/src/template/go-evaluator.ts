import { TemplateError } from '../errors.ts';
import type { Command, Operand, Pipe, TemplateNode } from './go-ast.ts';
import { goSprint } from './go-format.ts';
import { lookupFunction } from './function-catalog.ts';
import { checkArgCount, convertArg, kindAt, MAX_GENERATED_LENGTH, type CallContext } from './function-types.ts';
import { enterTemplate, leaveTemplate, MAX_TEMPLATE_DEPTH, RenderLimitError, spendCall, spendResult, spendSteps } from './render-budget.ts';
import { checkPattern } from './sprig-regex.ts';
import { errorMessage, type TemplateErrors } from './template-errors.ts';
import { evalField, isGoMap, isInteger, sortedKeys } from './template-values.ts';

/**
 * Compiles Go pipelines into closures, once, with Go's evaluation rules: fields of maps, methods of host
 * values, function arguments checked against the function's parameter types, the previous command's
 * value passed as the last argument, and nil results reading as "no value".
 */

/** What a render evaluates against: dot, and the variable slots (slot 0 is `$`). */
export interface Frame {
  readonly dot: unknown;
  readonly slots: unknown[];
}

export type Evaluate = (frame: Frame) => unknown;
/** Runs a template of the set by name with `dot`; undefined when the set has no template of that name. */
export type TemplateLookup = (name: string) => ((dot: unknown) => string) | undefined;
type CommandEval = (frame: Frame, final: unknown) => unknown;

/** Go's "missingVal": no previous command in the pipeline. */
const NO_FINAL: unique symbol = Symbol('no final value');

export class PipelineCompiler {
  readonly #errors: TemplateErrors;
  readonly #context: CallContext;
  /** `executing at ` in the source's own text, `executing "x" at ` in a template it defines (as Go names it). */
  readonly #executing: string;

  constructor(errors: TemplateErrors, context: CallContext, templateName?: string) {
    this.#errors = errors;
    this.#context = context;
    this.#executing = templateName === undefined ? 'executing at ' : `executing ${JSON.stringify(templateName)} at `;
  }

  /**
   * `{{template "x" pipeline}}`: the pipeline's value (no value without one) becomes the called template's
   * dot and `$`; it sees none of the caller's variables. Looked up when it runs, as Go does, so a name no
   * `{{define}}` gives is a render error; nesting stops at MAX_TEMPLATE_DEPTH (render-budget.ts).
   */
  templateCall(node: TemplateNode, lookup: TemplateLookup): (frame: Frame) => string {
    const evaluate = node.pipe === undefined ? undefined : this.pipe(node.pipe);
    return (frame) => {
      const run = lookup(node.name);
      if (run === undefined) throw this.#errors.runtime(`${this.#executing}<${node.text}>: template ${JSON.stringify(node.name)} not defined`, node.pos);
      const dot = evaluate === undefined ? undefined : evaluate(frame);
      if (!enterTemplate()) throw this.#errors.runtime(`${this.#executing}<${node.text}>: exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`, node.pos);
      try {
        return run(dot);
      } finally {
        leaveTemplate();
      }
    };
  }

  /** The pipeline's value; with `assign`, it is also stored into the declared variables. */
  pipe(pipe: Pipe, assign = true): Evaluate {
    const commands = pipe.commands.map((command, i) => this.#command(command, i > 0));
    const decl = assign ? pipe.decl : [];
    const [only] = commands;
    if (commands.length === 1 && only !== undefined && decl.length === 0) {
      return (frame) => {
        const value = only(frame, NO_FINAL);
        return value === null ? undefined : value;
      };
    }
    return (frame) => {
      let value: unknown = NO_FINAL;
      for (const command of commands) {
        value = command(frame, value);
        // Go digs the value out of its interface after each command: nil becomes "no value".
        if (value === null) value = undefined;
      }
      for (const slot of decl) frame.slots[slot] = value;
      return value;
    };
  }

  /** `{{pipeline}}`: its value as Go prints it, or nothing when it declares variables. */
  action(pipe: Pipe): (frame: Frame) => string {
    const evaluate = this.pipe(pipe);
    if (pipe.decl.length > 0) {
      return (frame) => {
        evaluate(frame);
        return '';
      };
    }
    return (frame) => {
      const value = evaluate(frame);
      if (typeof value === 'string') return value;
      if (value === undefined || value === null) return '<no value>';
      if (typeof value === 'function') throw this.#errors.runtime(`${this.#executing}<${pipe.text}>: can't print ${pipe.text} of type func`, pipe.pos);
      return goSprint(value);
    };
  }

  /** The items `range` visits: list elements, map entries in key order, or 0…n-1 for an integer n. */
  rangeItems(pipe: Pipe, value: unknown): Array<readonly [unknown, unknown]> {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((item: unknown, i) => [i, item] as const);
    if (isGoMap(value)) return sortedKeys(value).map((key) => [key, value[key]] as const);
    if (isInteger(value)) {
      if (pipe.decl.length > 1) throw this.#errors.runtime(`${this.#executing}<${pipe.text}>: can't use ${value} to iterate over more than one variable`, pipe.pos);
      if (value > MAX_GENERATED_LENGTH) throw this.#errors.runtime(`${this.#executing}<${pipe.text}>: range over ${value} is too long (more than ${MAX_GENERATED_LENGTH})`, pipe.pos);
      spendSteps(Math.max(value, 0));
      return Array.from({ length: Math.max(value, 0) }, (_, i) => [i, i] as const);
    }
    throw this.#errors.runtime(`${this.#executing}<${pipe.text}>: range can't iterate over ${goSprint(value)}`, pipe.pos);
  }

  #command(command: Command, hasFinal: boolean): CommandEval {
    const [head, ...rest] = command.args;
    if (head === undefined) throw this.#errors.syntax('empty command', command.pos);
    if (head.kind === 'function') return this.#call(head.name, rest, command, hasFinal);
    const args = rest.map((arg) => this.#arg(arg));
    if (head.kind === 'field' || ((head.kind === 'variable' || head.kind === 'pipe') && head.path.length > 0)) {
      const base = this.#base(head);
      return (frame, final) => {
        const callArgs = args.length > 0 || final !== NO_FINAL ? [...args.map((arg) => arg(frame)), ...(final === NO_FINAL ? [] : [final])] : undefined;
        return this.#fields(base(frame), head, callArgs);
      };
    }
    if (rest.length > 0 || hasFinal) throw this.#errors.syntax(`can't give argument to non-function ${head.text}`, head.pos);
    if (head.kind === 'nil') {
      return () => {
        throw this.#errors.runtime(`${this.#executing}<nil>: nil is not a command`, head.pos);
      };
    }
    const value = this.#arg(head);
    return (frame) => value(frame);
  }

  /** The value a field chain starts from. */
  #base(operand: Operand & { readonly path: readonly string[] }): Evaluate {
    if (operand.kind === 'field') return (frame) => frame.dot;
    if (operand.kind === 'variable') {
      const slot = operand.slot;
      return (frame) => frame.slots[slot];
    }
    if (operand.kind === 'pipe') return this.pipe(operand.pipe);
    throw this.#errors.syntax(`unexpected fields after ${operand.text}`, operand.pos);
  }

  #fields(receiver: unknown, operand: Operand & { readonly path: readonly string[] }, callArgs: unknown[] | undefined): unknown {
    let value = receiver;
    const last = operand.path.length - 1;
    for (let i = 0; i <= last; i++) {
      const name = operand.path[i] ?? '';
      let result;
      try {
        result = evalField(value, name, i === last ? callArgs : undefined);
      } catch (error) {
        throw this.#errors.runtime(`${this.#executing}<${operand.text}>: error calling ${name}: ${errorMessage(error)}`, operand.pos, error);
      }
      if ('error' in result) throw this.#errors.runtime(`${this.#executing}<${operand.text}>: ${result.error}`, operand.pos);
      value = result.value;
    }
    return value;
  }

  #arg(operand: Operand): Evaluate {
    switch (operand.kind) {
      case 'dot':
        return (frame) => frame.dot;
      case 'nil':
        return () => null;
      case 'bool':
      case 'number':
      case 'string': {
        const value = operand.value;
        return () => value;
      }
      case 'function': {
        const call = this.#call(operand.name, [], { pos: operand.pos, text: operand.text, args: [operand] }, false);
        return (frame) => call(frame, NO_FINAL);
      }
      case 'variable':
        if (operand.path.length === 0) {
          const slot = operand.slot;
          return (frame) => frame.slots[slot];
        }
        break;
      case 'pipe':
        if (operand.path.length === 0) return this.pipe(operand.pipe);
        break;
      default:
        break;
    }
    const base = this.#base(operand);
    return (frame) => this.#fields(base(frame), operand, undefined);
  }

  #call(name: string, argOperands: readonly Operand[], command: Command, hasFinal: boolean): CommandEval {
    const definition = lookupFunction(name);
    if (definition === undefined) throw this.#errors.syntax(`function ${JSON.stringify(name)} not defined`, command.pos);
    const args = argOperands.map((arg) => this.#arg(arg));
    try {
      checkArgCount(name, definition, args.length + (hasFinal ? 1 : 0));
    } catch (error) {
      throw this.#errors.syntax(errorMessage(error), command.pos);
    }
    const pattern = definition.pattern === undefined ? undefined : argOperands[definition.pattern];
    if (pattern?.kind === 'string') {
      try {
        checkPattern(pattern.value);
      } catch (error) {
        throw this.#errors.syntax(`${name}: ${errorMessage(error)}`, pattern.pos);
      }
    }
    const fail = (error: unknown): never => {
      if (error instanceof TemplateError || error instanceof RenderLimitError) throw error;
      throw this.#errors.runtime(`${this.#executing}<${command.text}>: error calling ${name}: ${errorMessage(error)}`, command.pos, error);
    };
    const context = this.#context;
    if (definition.lazy === true) {
      return (frame, final) => {
        spendSteps(1);
        const thunks = args.map((arg) => () => arg(frame));
        if (final !== NO_FINAL) thunks.push(() => final);
        try {
          return definition.fn(thunks, context);
        } catch (error) {
          return fail(error);
        }
      };
    }
    return (frame, final) => {
      const values = args.map((arg) => arg(frame));
      if (final !== NO_FINAL) values.push(final);
      spendCall(values);
      let result: unknown;
      try {
        result = definition.fn(
          values.map((value, i) => convertArg(kindAt(definition, i), value)),
          context,
        );
      } catch (error) {
        return fail(error);
      }
      spendResult(result);
      return result;
    };
  }
}

