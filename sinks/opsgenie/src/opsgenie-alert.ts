import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

type Responder = { type: string; id?: string; name?: string; username?: string };

/** A create-alert request as the Alert API v2 (`POST /v2/alerts`) takes it. */
export interface CreateAlertRequest {
  message: string;
  alias: string;
  description?: string;
  priority?: string;
  note?: string;
  actions?: string[];
  tags?: string[];
  details?: Record<string, string>;
  entity?: string;
  visibleTo?: Responder[];
  user?: string;
  responders: Responder[];
  source: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The alert Argo's opsgenie service would create for the rendered block, to the recipient's team, with
 * the notification's idempotency key as `alias` unless the block sets one: Opsgenie adds a create with the
 * alias of an open alert to that alert, so a redelivery never opens a second one.
 */
export function buildAlert(notification: NotificationData): CreateAlertRequest {
  const where = `template "${notification.template}": opsgenie`;
  const recipient = notification.destination.recipient;
  // Argo sends the recipient as the team's id; the apiKeys keys are team names, which Opsgenie takes as `name`.
  const team: Responder = UUID.test(recipient) ? { type: 'team', id: recipient } : { type: 'team', name: recipient };
  const alert: CreateAlertRequest = {
    message: typeof notification.rendered.message === 'string' ? notification.rendered.message : '',
    alias: notification.idempotencyKey,
    responders: [team],
    source: 'Herald',
  };
  const raw = notification.rendered.opsgenie;
  if (raw === undefined || raw === null) return alert;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`${where} must be a mapping`);
  const block = raw as Record<string, unknown>;
  const text = (field: string): string | undefined => {
    const value = block[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw DeliveryError.permanent(`${where}.${field} must be text`);
    return value;
  };
  const list = (field: string): string[] | undefined => {
    const value = block[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw DeliveryError.permanent(`${where}.${field} must be a list of text`);
    return value.length ? (value as string[]) : undefined;
  };

  const description = text('description');
  // As Argo: a template with an opsgenie block must describe the alert.
  if (!description) throw DeliveryError.permanent(`${where}.description is missing or rendered empty`);
  alert.description = description;
  for (const field of ['priority', 'note', 'entity', 'user'] as const) {
    const value = text(field);
    if (value) alert[field] = value;
  }
  const alias = text('alias');
  if (alias) alert.alias = alias;
  for (const field of ['actions', 'tags'] as const) {
    const value = list(field);
    if (value) alert[field] = value;
  }
  if (block.details !== undefined && block.details !== null) {
    if (typeof block.details !== 'object' || Array.isArray(block.details) || Object.values(block.details).some((v) => typeof v !== 'string')) {
      throw DeliveryError.permanent(`${where}.details must be a mapping of text`);
    }
    if (Object.keys(block.details).length) alert.details = block.details as Record<string, string>;
  }
  if (block.visibleTo !== undefined && block.visibleTo !== null) {
    if (!Array.isArray(block.visibleTo)) throw DeliveryError.permanent(`${where}.visibleTo must be a list`);
    const visibleTo = (block.visibleTo as unknown[]).map((entry, i) => {
      if (typeof entry !== 'object' || entry === null) throw DeliveryError.permanent(`${where}.visibleTo[${i}] must be a mapping`);
      const responder: Responder = { type: '' };
      for (const [k, v] of Object.entries(entry)) {
        if (!['type', 'id', 'name', 'username'].includes(k) || typeof v !== 'string') throw DeliveryError.permanent(`${where}.visibleTo[${i}].${k} is not a responder field of text`);
        if (v !== '') responder[k as keyof Responder] = v;
      }
      return responder;
    });
    if (visibleTo.length) alert.visibleTo = visibleTo;
  }
  return alert;
}
