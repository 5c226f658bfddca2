import { createHash } from 'node:crypto';

// A condition's key is the config's (each trigger condition carries it); the state key is built on it.
export { conditionKey } from '@herald/core-notification-config';

export interface StateKeyParts {
  trigger: string;
  conditionKey: string;
  /** Service name as subscriptions use it (`webhook` in `subscribe.on-pod-ready.webhook`). */
  service: string;
  recipient: string;
  /** The condition's `oncePer` value, when it has one. */
  oncePer?: string | undefined;
  /** Namespace of a self-service config; prefixes the key as Argo does. */
  configNamespace?: string | undefined;
}

/**
 * Argo's dedup key: `[<oncePer>:][<configNamespace>:]<trigger>:<conditionKey>:<service>:<recipient>`. It is a
 * key of the `notified` annotation, so it must match Argo's byte for byte for adoption to work: a
 * self-service config's namespace goes in first, then the oncePer value in front of it all.
 */
export function stateKey(parts: StateKeyParts): string {
  let key = `${parts.trigger}:${parts.conditionKey}:${parts.service}:${parts.recipient}`;
  if (parts.configNamespace) key = `${parts.configNamespace}:${key}`;
  if (parts.oncePer) key = `${parts.oncePer}:${key}`;
  return key;
}

/**
 * Idempotency key of a notification: a hash of (object UID, state key), so the same decision about the same
 * object always yields the same key and receivers (and the bus) can drop repeats.
 */
export function idempotencyKey(objectUid: string, key: string): string {
  return createHash('sha256').update(objectUid).update('\0').update(key).digest('base64url').slice(0, 32);
}
