import { DeliveryError } from '@herald/plugin-sdk';

/**
 * The send's signal aborted (delivery deadline, shutdown) or the sink stopped: the notification may not have
 * arrived, so it is retryable, and the abort reason is the cause, for the kernel to tell a shutdown apart.
 */
export function abortedError(what: string, reason: unknown): DeliveryError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return DeliveryError.transient(`${what} aborted: ${why}`, { cause: reason });
}
