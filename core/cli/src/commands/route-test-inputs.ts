import type { NotificationConfig } from '@herald/core-notification-config';
import type { ConfigIssue } from '@herald/core-evaluator';
import { loadNotificationConfig, objectVariable, readResource, type ConfigFileOptions, type VariableOptions } from './notification-inputs.ts';

export interface RouteTestInputs {
  /** Absent when the config has errors (`issues` says which). */
  config: NotificationConfig | undefined;
  issues: readonly ConfigIssue[];
  object: Record<string, unknown>;
  varName: string;
}

/**
 * What `herald route test` works on: the object and the notification config. From files today, as
 * `herald trigger run` reads them; the one place to switch to reading them from the cluster.
 */
export function loadRouteTestInputs(resource: string, options: ConfigFileOptions & VariableOptions): RouteTestInputs {
  const { config, issues } = loadNotificationConfig(options);
  const object = readResource(resource);
  return { config, issues, object, varName: objectVariable(object, options) };
}
