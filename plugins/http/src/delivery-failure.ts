import { DeliveryError, isDeliveryError, maskErrorSecrets, maskSecrets } from '@herald/plugin-sdk';

/**
 * What a send that failed throws, with the service's secrets masked everywhere in it: a DeliveryError as it
 * is (the API's answer already said permanent or transient), anything else (a bug, an unexpected client
 * error) transient and named by `what`, so the bus retries it rather than losing the notification.
 */
export function deliveryFailure(err: unknown, what: string, secrets: readonly string[]): DeliveryError {
  const masked = maskErrorSecrets(err, secrets);
  if (isDeliveryError(masked)) return masked;
  return DeliveryError.transient(maskSecrets(`${what}: ${String(masked)}`, secrets), { cause: masked });
}
