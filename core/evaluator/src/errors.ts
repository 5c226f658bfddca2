import { HeraldError } from '@herald/plugin-sdk';

export const EvaluatorErrorCodes = {
  expressionSyntax: 'HERALD_ERR_EXPR_SYNTAX',
  expressionRuntime: 'HERALD_ERR_EXPR_RUNTIME',
  templateSyntax: 'HERALD_ERR_TEMPLATE_SYNTAX',
  templateUnsupported: 'HERALD_ERR_TEMPLATE_UNSUPPORTED',
  templateRuntime: 'HERALD_ERR_TEMPLATE_RUNTIME',
  /** The evaluator cannot evaluate yet (no notification config loaded): the event is tried again later. */
  notReady: 'HERALD_ERR_EVALUATOR_NOT_READY',
} as const;
export type EvaluatorErrorCode = (typeof EvaluatorErrorCodes)[keyof typeof EvaluatorErrorCodes];

/**
 * A trigger expression that does not compile (`HERALD_ERR_EXPR_SYNTAX`, message names the construct and
 * its column) or failed while evaluating (`HERALD_ERR_EXPR_RUNTIME`).
 */
export class ExpressionError extends HeraldError {
  /** 1-based column in the expression source, when known. */
  readonly column: number | undefined;

  constructor(code: EvaluatorErrorCode, message: string, options: { cause?: unknown; column?: number } = {}) {
    super(code, message, { ...(options.cause === undefined ? {} : { cause: options.cause }), retryable: false });
    this.name = 'ExpressionError';
    this.column = options.column;
  }
}

/**
 * A template that does not compile (`HERALD_ERR_TEMPLATE_SYNTAX`), uses a construct Herald does not support
 * (`HERALD_ERR_TEMPLATE_UNSUPPORTED`), or failed while rendering (`HERALD_ERR_TEMPLATE_RUNTIME`). The
 * message starts with the template's name (e.g. `template.pod-ready: webhook.webhook.body`).
 */
export class TemplateError extends HeraldError {
  readonly template: string;
  /** 1-based line and column in the template source, when known. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: EvaluatorErrorCode, template: string, message: string, options: { cause?: unknown; line?: number; column?: number } = {}) {
    super(code, `${template}: ${message}`, { ...(options.cause === undefined ? {} : { cause: options.cause }), retryable: false });
    this.name = 'TemplateError';
    this.template = template;
    this.line = options.line;
    this.column = options.column;
  }
}

/**
 * The evaluator is not ready for an event (`HERALD_ERR_EVALUATOR_NOT_READY`): retryable, and the bus waits
 * `retryAfterMs` before the next attempt.
 */
export class NotReadyError extends HeraldError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super(EvaluatorErrorCodes.notReady, message, { retryable: true });
    this.name = 'NotReadyError';
    this.retryAfterMs = retryAfterMs;
  }
}
