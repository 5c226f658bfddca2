import { DeliveryError, maskSecrets } from '@herald/plugin-sdk';

/**
 * The DeliveryError with every secret masked in its message. The cause is kept: the errors of `postJson`
 * carry one only for an abort (a shutdown, the deadline), whose reason holds nothing of a request.
 */
export function maskedDeliveryError(err: DeliveryError, secrets: readonly string[]): DeliveryError {
  return new DeliveryError(maskSecrets(err.message, secrets), {
    retryable: err.retryable,
    ...(err.cause === undefined ? {} : { cause: err.cause }),
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
  });
}
