import type { NotificationData } from '@herald/plugin-sdk';

/** The body of `POST /api/annotations`, as Argo's grafana service sends it. */
export interface GrafanaAnnotation {
  /** Epoch milliseconds. */
  time: number;
  isRegion: false;
  tags: string[];
  text: string;
}

/**
 * An annotation at the notification's time, tagged with the recipient's `|`-separated tags, the rendered
 * `message` as its text — Argo's request. Beyond Argo: the time is when the change was observed (Argo takes
 * the send's time, so a retry moved the annotation), whole seconds as Argo's; empty tags are left out (Argo
 * sends `[""]` for a subscription without a recipient).
 */
export function buildAnnotation(notification: NotificationData, now: number): GrafanaAnnotation {
  const observed = notification.observedAt === undefined ? Number.NaN : Date.parse(notification.observedAt);
  const at = Number.isNaN(observed) ? now : observed;
  return {
    time: Math.floor(at / 1_000) * 1_000,
    isRegion: false,
    tags: notification.destination.recipient.split('|').filter((tag) => tag !== ''),
    text: typeof notification.rendered.message === 'string' ? notification.rendered.message : '',
  };
}

/** Argo's join of the API path and `annotations` (Go's path.Join: one slash, none doubled). */
export function annotationsUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/annotations`.replace(/\/{2,}/g, '/');
  return url.toString();
}
