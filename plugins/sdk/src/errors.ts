/** Base of every Herald error: a stable code, whether a retry can help, and the cause. */
export class HeraldError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeraldError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Thrown by a sink's `send` when the remote side refused or failed. `retryable` says whether the same
 * request may succeed later (5xx, 429, timeouts) or never will (4xx, bad config); `retryAfterMs` carries a
 * server's `Retry-After`.
 */
export class DeliveryError extends HeraldError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryable: boolean; retryAfterMs?: number }) {
    super(options.retryable ? 'HERALD_ERR_DELIVERY_TRANSIENT' : 'HERALD_ERR_DELIVERY_PERMANENT', message, options);
    this.name = 'DeliveryError';
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The same request can never succeed (bad config, a refused recipient or credential): dead-lettered with `message`. */
  static permanent(message: string, cause?: unknown): DeliveryError {
    return new DeliveryError(message, { retryable: false, ...(cause === undefined ? {} : { cause }) });
  }

  /** The same request may succeed later (5xx, 429, a timeout, a network error); `retryAfterMs` is the server's wish. */
  static transient(message: string, options: { cause?: unknown; retryAfterMs?: number | undefined } = {}): DeliveryError {
    return new DeliveryError(message, {
      retryable: true,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    });
  }

  /**
   * The send's signal aborted (its deadline, a shutdown) or the sink stopped mid-request: the remote side may
   * have taken it, so a retry may send it again (it is retryable), and `reason`, the signal's, is the cause,
   * for the kernel to tell a shutdown from a deadline. `what` starts the message: `<what> aborted: <reason>`.
   */
  static aborted(what: string, reason: unknown): DeliveryError {
    const why = reason instanceof Error ? reason.message : String(reason);
    return DeliveryError.transient(`${what} aborted: ${why}`, { cause: reason });
  }
}

// Duck-typed rather than instanceof: a plugin may bring its own copy of the SDK.
export function isHeraldError(value: unknown): value is HeraldError {
  return value instanceof Error && typeof (value as HeraldError).code === 'string' && typeof (value as HeraldError).retryable === 'boolean';
}

export function isDeliveryError(value: unknown): value is DeliveryError {
  return isHeraldError(value) && (value.code === 'HERALD_ERR_DELIVERY_TRANSIENT' || value.code === 'HERALD_ERR_DELIVERY_PERMANENT');
}

/** A text that is not a duration (`parseDuration`); `input` is the text as given. */
export class DurationError extends HeraldError {
  readonly input: unknown;

  constructor(message: string, input: unknown) {
    super('HERALD_ERR_DURATION_INVALID', message);
    this.name = 'DurationError';
    this.input = input;
  }
}

/**
 * The code a publisher's error carries once the bus connection is closed (at shutdown): nothing to report,
 * the caller is stopping. The bus throws it; a source compares with it through `isBusClosed`.
 */
export const BUS_CLOSED_ERROR_CODE = 'HERALD_ERR_BUS_CLOSED';

export function isBusClosed(value: unknown): boolean {
  return isHeraldError(value) && value.code === BUS_CLOSED_ERROR_CODE;
}
