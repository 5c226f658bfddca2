import { DeliveryError } from '@herald/plugin-sdk';

/** The same message can never be sent: bad config or recipient, a 5xx reply, an untrusted certificate. */
export function permanentError(message: string, cause?: unknown): DeliveryError {
  return new DeliveryError(message, { retryable: false, ...(cause === undefined ? {} : { cause }) });
}

/** The same message may be sent later: a 4xx reply, a refused or broken connection, a timeout, an abort. */
export function transientError(message: string, cause?: unknown): DeliveryError {
  return new DeliveryError(message, { retryable: true, ...(cause === undefined ? {} : { cause }) });
}
