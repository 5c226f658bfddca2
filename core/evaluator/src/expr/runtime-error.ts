import { EvaluatorErrorCodes, ExpressionError } from '../errors.ts';

export function runtimeError(message: string, cause?: unknown): ExpressionError {
  return new ExpressionError(EvaluatorErrorCodes.expressionRuntime, message, cause === undefined ? {} : { cause });
}

/**
 * Whatever an evaluation threw, as an ExpressionError: host functions throw TypeError/RangeError with a
 * message fit for users; anything else is reported with its message and kept as the cause.
 */
export function toExpressionError(error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) return runtimeError('expression nested too deeply to evaluate', error);
  if (error instanceof Error) return runtimeError(error.message, error);
  return runtimeError(`evaluation failed: ${String(error)}`, error);
}
