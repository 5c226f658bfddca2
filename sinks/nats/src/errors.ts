import { DeliveryError } from '@herald/plugin-sdk';
import { errors as natsErrors } from '@nats-io/nats-core';

/**
 * A DeliveryError for a failed connect or publish. `what` starts the message (`nats "events": publish to
 * deploys`). A refused login, an invalid subject or a message over the server's max_payload will fail the
 * same way again: permanent. A server that cannot be reached or went away: transient. The caller masks the
 * service's secrets in the result (the client never puts them in an error; a URL with credentials might).
 */
export function natsError(what: string, err: unknown): DeliveryError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof natsErrors.AuthorizationError || err instanceof natsErrors.UserAuthenticationExpiredError) {
    return DeliveryError.permanent(`${what}: the server refused the credentials: ${message}`, err);
  }
  if (err instanceof natsErrors.InvalidSubjectError) return DeliveryError.permanent(`${what}: not a valid subject: ${message}`, err);
  if (err instanceof natsErrors.InvalidArgumentError) return DeliveryError.permanent(`${what}: ${message}`, err);
  return DeliveryError.transient(`${what}: ${message}`, { cause: err });
}

/** The server answered the publish with a permissions violation: the account may not publish there. */
export function deniedError(what: string, serverText: string): DeliveryError {
  return DeliveryError.permanent(`${what}: the server refused: ${serverText}`);
}

