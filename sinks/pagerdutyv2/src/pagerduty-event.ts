import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** A trigger event as the Events API v2 (`POST /v2/enqueue`) takes it. */
export interface TriggerEvent {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: { summary: string; source: string; severity: string; component?: string; group?: string; class?: string };
  client: string;
  client_url?: string;
}

const FIELDS = ['summary', 'severity', 'source', 'component', 'group', 'class', 'url', 'dedupKey'] as const;

/**
 * The event Argo's pagerdutyv2 service would send for the rendered block, with the notification's
 * idempotency key as `dedup_key` unless the block sets one: PagerDuty folds every trigger with an open
 * alert's dedup key into that alert, so a redelivery never opens a second incident.
 */
export function buildEvent(notification: NotificationData, routingKey: string): TriggerEvent {
  const raw = notification.rendered.pagerdutyv2;
  if (raw === undefined || raw === null) throw DeliveryError.permanent(`template "${notification.template}" has no pagerdutyv2 block (summary, severity and source are required)`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": pagerdutyv2 must be a mapping`);
  const block = raw as Record<string, unknown>;
  const text: Partial<Record<(typeof FIELDS)[number], string>> = {};
  for (const field of FIELDS) {
    const value = block[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": pagerdutyv2.${field} must be text`);
    text[field] = value;
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: text.dedupKey ?? notification.idempotencyKey,
    payload: {
      summary: text.summary ?? '',
      source: text.source ?? '',
      severity: text.severity ?? '',
      ...(text.component ? { component: text.component } : {}),
      ...(text.group ? { group: text.group } : {}),
      ...(text.class ? { class: text.class } : {}),
    },
    client: 'Herald',
    ...(text.url ? { client_url: text.url } : {}),
  };
}
