import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** The body of `POST /v2/applications/<id>/deployments.json`, as Argo's newrelic service sends it. */
export interface DeploymentMarker {
  deployment: { revision: string; changelog?: string; description?: string; user?: string };
}

const FIELDS = ['revision', 'changelog', 'description', 'user'] as const;

// What a Go template prints for a path that is not there: the default revision of a resource that is no
// Argo CD Application.
const NO_VALUE = '<no value>';

/**
 * The marker from the rendered `newrelic` block: `description` defaults to the rendered `message` and empty
 * fields are left out, as Argo does. The template schema defaults `revision` to Argo CD's sync revision; a
 * revision that rendered empty (or to `<no value>`: the resource has no such path) is a permanent error
 * naming the template, as New Relic refuses a marker without one.
 */
export function buildMarker(notification: NotificationData): DeploymentMarker {
  const raw = notification.rendered.newrelic;
  const where = `template "${notification.template}"`;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw DeliveryError.permanent(`${where}: newrelic must be a mapping`);
  const block = (raw ?? {}) as Record<string, unknown>;
  const deployment: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = block[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw DeliveryError.permanent(`${where}: newrelic.${field} must be text`);
    deployment[field] = value;
  }
  if (!deployment.description && typeof notification.rendered.message === 'string' && notification.rendered.message) deployment.description = notification.rendered.message;
  if (!deployment.revision || deployment.revision === NO_VALUE) throw DeliveryError.permanent(`${where}: newrelic.revision is empty; New Relic needs a revision (e.g. revision: "{{.app.status.operationState.syncResult.revision}}")`);
  const { revision, ...rest } = deployment;
  return { deployment: { revision, ...rest } };
}

/** The markers URL of application `id` (the recipient), the id encoded so it stays one path segment. */
export function markersUrl(apiURL: string, id: string): string {
  return `${apiURL.replace(/\/+$/, '')}/v2/applications/${encodeURIComponent(id)}/deployments.json`;
}
