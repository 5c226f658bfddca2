import { ExpressionError } from '../../errors.ts';
import { compileExpression } from '../compile-expression.ts';

/** The ExpressionError compiling `source` throws; anything else (or compiling) fails the test. */
export function compileError(source: string): ExpressionError {
  try {
    compileExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`compiled: ${source}`);
}
