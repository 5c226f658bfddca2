import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** A create-incident request as the REST API (`POST /incidents`) takes it. */
export interface CreateIncidentRequest {
  incident: {
    type: 'incident';
    title: string;
    service: { id: string; type: 'service_reference' };
    incident_key: string;
    urgency?: string;
    priority?: { id: string; type: 'priority_reference' };
    body?: { type: 'incident_body'; details: string };
  };
}

/**
 * The incident Argo's pagerduty service would create for the rendered block on service `serviceId`, with
 * the notification's idempotency key as `incident_key`: PagerDuty refuses a second open incident with the
 * same key on a service, so a redelivery never opens a second incident. Empty fields are left out (Argo
 * sends an empty priority).
 */
export function buildIncident(notification: NotificationData, serviceId: string): CreateIncidentRequest {
  const raw = notification.rendered.pagerduty;
  if (raw === undefined || raw === null) throw DeliveryError.permanent(`template "${notification.template}" has no pagerduty block (pagerduty.title is required)`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": pagerduty must be a mapping`);
  const block = raw as Record<string, unknown>;
  const text = (field: string): string | undefined => {
    const value = block[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": pagerduty.${field} must be text`);
    return value;
  };
  const urgency = text('urgency');
  const priorityId = text('priorityId');
  const body = text('body');
  return {
    incident: {
      type: 'incident',
      title: text('title') ?? '',
      service: { id: serviceId, type: 'service_reference' },
      incident_key: notification.idempotencyKey,
      ...(urgency ? { urgency } : {}),
      ...(priorityId ? { priority: { id: priorityId, type: 'priority_reference' as const } } : {}),
      ...(body ? { body: { type: 'incident_body' as const, details: body } } : {}),
    },
  };
}
