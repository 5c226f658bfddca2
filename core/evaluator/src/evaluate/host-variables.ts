import type { NotificationConfig } from '@herald/core-notification-config';
import { hostRepo } from '../host/repo-functions.ts';

/** What kind of Argo object this is, by its apiVersion group and kind: their controllers give templates more variables. */
function argoKind(object: Readonly<Record<string, unknown>>): 'Application' | 'Rollout' | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith('argoproj.io/')) return undefined;
  return kind === 'Application' || kind === 'Rollout' ? kind : undefined;
}

/** The Secret's values as Go holds them (`[]byte`), so `{{.secrets.key}}` prints what Argo prints. */
function secretBytes(secrets: Readonly<Record<string, string>>): Readonly<Record<string, readonly number[]>> {
  const out = Object.create(null) as Record<string, readonly number[]>;
  for (const [key, value] of Object.entries(secrets)) out[key] = Object.freeze([...Buffer.from(value, 'utf8')]);
  return Object.freeze(out);
}

/**
 * The variables Argo's controllers add to the engine's for their own objects, so their ConfigMaps render
 * the same: for an Argo CD Application `context.notificationType` (the service name; a `context` key of
 * that name wins), `secrets`, `appProject` (always empty: Herald does not read AppProjects) and `repo`;
 * for an Argo Rollout `secrets`. `service` is "" when evaluating triggers, as Argo CD does.
 */
export function hostVariables(object: Readonly<Record<string, unknown>>, config: NotificationConfig, service: string): Record<string, unknown> {
  switch (argoKind(object)) {
    case 'Application':
      return { context: { notificationType: service, ...config.context }, secrets: secretBytes(config.secrets), appProject: {}, repo: hostRepo };
    case 'Rollout':
      return { secrets: secretBytes(config.secrets) };
    default:
      return {};
  }
}
