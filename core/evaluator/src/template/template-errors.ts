import { EvaluatorErrorCodes, TemplateError, type EvaluatorErrorCode } from '../errors.ts';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** 1-based line and column of `offset` in `source`. */
export function locate(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), source.length);
  for (let i = source.indexOf('\n'); i !== -1 && i < end; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Builds the TemplateErrors of one template, so every message carries the template's name and the
 * position of the construct that caused it.
 */
export class TemplateErrors {
  readonly name: string;
  readonly source: string;

  constructor(name: string, source: string) {
    this.name = name;
    this.source = source;
  }

  syntax(message: string, at: number | SourcePosition, cause?: unknown): TemplateError {
    return this.#make(EvaluatorErrorCodes.templateSyntax, message, at, cause);
  }

  unsupported(message: string, at: number | SourcePosition): TemplateError {
    return this.#make(EvaluatorErrorCodes.templateUnsupported, message, at);
  }

  runtime(message: string, at: number | SourcePosition, cause?: unknown): TemplateError {
    return this.#make(EvaluatorErrorCodes.templateRuntime, message, at, cause);
  }

  #make(code: EvaluatorErrorCode, message: string, at: number | SourcePosition, cause?: unknown): TemplateError {
    const { line, column } = typeof at === 'number' ? locate(this.source, at) : at;
    return new TemplateError(code, this.name, `${line}:${column}: ${message}`, { line, column, ...(cause === undefined ? {} : { cause }) });
  }
}

/**
 * A failure inside a template function, raised without position; the evaluator adds the action's
 * position and name (`error calling trunc: …`), as Go does.
 */
export class FunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
