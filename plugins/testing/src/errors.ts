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

/** A check of the source conformance kit failed: `check` names it, the message says what was seen. */
export class SourceConformanceError extends Error {
  readonly code = 'HERALD_ERR_CONFORMANCE_FAILED';
  readonly check: string;

  constructor(check: string, message: string, options: { cause?: unknown } = {}) {
    super(`source conformance: ${check}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SourceConformanceError';
    this.check = check;
  }
}

/** A test helper was used in a way it cannot serve (a plugin asking for a service that is not a core one). */
export class PluginTestingError extends Error {
  readonly code = 'HERALD_ERR_TESTING_USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'PluginTestingError';
  }
}
