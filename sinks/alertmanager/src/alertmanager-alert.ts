import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** One alert as Alertmanager's `POST /api/v2/alerts` takes it (a `postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  generatorURL?: string;
  startsAt: string;
}

// What a Go template prints for a path that is not there.
const NO_VALUE = '<no value>';

/** A `git@host:org/repo` source URL as the https URL a browser opens, as Argo's templater turns it. */
export function httpGeneratorUrl(url: string): string {
  if (!url.startsWith('git@')) return url;
  return `https://${url.slice('git@'.length).replace(':', '/')}`;
}

function stringMap(notification: NotificationData, field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw DeliveryError.permanent(`template "${notification.template}": alertmanager.${field} must be a mapping`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw DeliveryError.permanent(`template "${notification.template}": alertmanager.${field}.${key} must be text`);
    // Alertmanager reads an empty label value as no label; an empty annotation says nothing either.
    if (v !== '') out[key] = v;
  }
  return out;
}

/**
 * The alert Argo's alertmanager service would post for the rendered `alertmanager` block: its labels
 * (`alertname` the template's name unless set), annotations and generatorURL (a git@ URL made https).
 * `startsAt` is the block's, else when the resource changed (`observedAt`), else now: a redelivery posts
 * the same alert, which Alertmanager merges with the one it holds (alerts are identified by their labels).
 * Throws a permanent DeliveryError for a block Alertmanager could never take.
 */
export function buildAlert(notification: NotificationData, now: Date): PostableAlert {
  const raw = notification.rendered.alertmanager;
  if (raw === undefined || raw === null) throw DeliveryError.permanent(`template "${notification.template}" has no alertmanager block (alertmanager.labels is required)`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": alertmanager must be a mapping`);
  const block = raw as Record<string, unknown>;
  const labels = stringMap(notification, 'labels', block.labels);
  if (Object.keys(labels).length === 0) throw DeliveryError.permanent(`template "${notification.template}": alertmanager.labels rendered no label; at least one is required`);
  labels.alertname ??= notification.template;
  const annotations = stringMap(notification, 'annotations', block.annotations);

  const alert: PostableAlert = { labels, startsAt: startsAt(notification, block.startsAt, now) };
  if (Object.keys(annotations).length > 0) alert.annotations = annotations;
  // `<no value>`: the default's path is not there (the resource is no Argo CD Application), so no URL is known.
  if (block.generatorURL !== undefined && block.generatorURL !== null && block.generatorURL !== '' && block.generatorURL !== NO_VALUE) {
    if (typeof block.generatorURL !== 'string') throw DeliveryError.permanent(`template "${notification.template}": alertmanager.generatorURL must be text`);
    const url = httpGeneratorUrl(block.generatorURL);
    if (!URL.canParse(url)) throw DeliveryError.permanent(`template "${notification.template}": alertmanager.generatorURL is not a URL: ${JSON.stringify(url)}`);
    alert.generatorURL = url;
  }
  return alert;
}

function startsAt(notification: NotificationData, value: unknown, now: Date): string {
  if (value !== undefined && value !== null && value !== '') {
    const at = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(at.getTime())) throw DeliveryError.permanent(`template "${notification.template}": alertmanager.startsAt is not a time (RFC 3339, e.g. 2026-01-02T15:04:05Z): ${JSON.stringify(value)}`);
    return at.toISOString();
  }
  return notification.observedAt ? new Date(notification.observedAt).toISOString() : now.toISOString();
}
