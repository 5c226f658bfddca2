import { DeliveryError } from '@herald/plugin-sdk';

/** The same request can never succeed: bad config, a refused request (4xx), an untrusted certificate. */
export function permanentError(message: string, cause?: unknown): DeliveryError {
  return new DeliveryError(message, { retryable: false, ...(cause === undefined ? {} : { cause }) });
}

/** The same request may succeed later: 5xx, 429, timeouts, network errors, an interrupted send. */
export function transientError(message: string, options: { cause?: unknown; retryAfterMs?: number | undefined } = {}): DeliveryError {
  return new DeliveryError(message, {
    retryable: true,
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
  });
}

/**
 * The send's signal aborted (delivery deadline, shutdown) or the sink stopped: the notification may not have
 * arrived, so it is retryable, and the abort reason is the cause, for the kernel to tell a shutdown apart.
 */
export function abortedError(what: string, reason: unknown): DeliveryError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return transientError(`${what} aborted: ${why}`, { cause: reason });
}
