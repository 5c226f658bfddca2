import { EvaluatorErrorCodes, ExpressionError } from '../errors.ts';

/**
 * A compile error at `pos` (0-based offset): `<message> at column 14`, or `at line 2, column 3` in a
 * multi-line expression. `column` on the error is the 1-based column within its line.
 */
export function syntaxError(source: string, pos: number, message: string): ExpressionError {
  const before = source.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = pos - lineStart + 1;
  // A YAML block scalar (`when: |`) ends in a newline; that alone does not make the expression multi-line.
  const where = source.trimEnd().includes('\n') ? `line ${before.split('\n').length}, column ${column}` : `column ${column}`;
  return new ExpressionError(EvaluatorErrorCodes.expressionSyntax, `${message} at ${where}`, { column });
}
