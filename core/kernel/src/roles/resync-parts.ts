import { createHash } from 'node:crypto';
import type { NotificationConfig } from '@herald/core-notification-config';

/**
 * The parts of a notification config that decide which notifications an object that did not change gets, each
 * as a digest: `trigger.<name>` (each condition's `when`, `oncePer` and templates), `subscriptions`,
 * `defaultTriggers`, `defaultTriggers.<service>`, `service.<name>` (its type: a subscription to a service that
 * was missing is sent once it exists). Templates, the context and service options are left out: they change
 * what a notification says, not whether there is one (a notification already sent is not sent again either way).
 */
export function resyncParts(config: NotificationConfig): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const [name, trigger] of config.triggers) {
    parts[`trigger.${name}`] = digest(trigger.conditions.map((c) => [c.when, c.oncePer ?? null, c.send]));
  }
  if (config.subscriptions.length > 0) {
    parts.subscriptions = digest(config.subscriptions.map((s) => [s.recipients.map((r) => [r.service, r.recipient]), s.triggers, s.selector?.source ?? null]));
  }
  if (config.defaultTriggers.length > 0) parts.defaultTriggers = digest(config.defaultTriggers);
  for (const [service, triggers] of config.serviceDefaultTriggers) parts[`defaultTriggers.${service}`] = digest(triggers);
  for (const [name, service] of config.services) parts[`service.${name}`] = digest(service.type);
  return parts;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
}
