/** A check of the sink conformance kit failed: `check` names it, the message says what was seen. */
export class SinkConformanceError extends Error {
  readonly code = 'HERALD_ERR_CONFORMANCE_FAILED';
  readonly check: string;

  constructor(check: string, message: string, options: { cause?: unknown } = {}) {
    super(`sink conformance: ${check}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SinkConformanceError';
    this.check = check;
  }
}
