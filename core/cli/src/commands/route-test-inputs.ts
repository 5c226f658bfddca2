import type { NotificationConfig } from '@herald/core-notification-config';
import type { ConfigIssue } from '@herald/core-evaluator';
import type { EngineConfig } from '@herald/core-kernel';
import { readClusterInputs } from './cluster-inputs.ts';
import { compileInputs, objectVariable, type VariableOptions } from './notification-inputs.ts';

export interface RouteTestInputs {
  /** Absent when the config has errors (`issues` says which). */
  config: NotificationConfig | undefined;
  issues: readonly ConfigIssue[];
  object: Record<string, unknown>;
  varName: string;
  /** Where the ConfigMap came from, for messages: a file name or `configmap <ns>/<name>`. */
  configOrigin: string;
  /** Self-service (herald.yaml's `notifications.selfService`): the config of the object's own namespace, when it has one. */
  namespaceConfig?: { namespace: string; config: NotificationConfig | undefined; issues: readonly ConfigIssue[]; origin: string };
}

/** Where `herald route test` reads from: files, or the cluster with `argocd admin notifications`' flags. */
export interface RouteTestSources extends VariableOptions {
  configMap?: string | undefined;
  secret?: string | undefined;
  namespace?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/**
 * What `herald route test` works on: the object and the notification config, each from its file or from the
 * cluster (the ConfigMap and Secret herald.yaml names), read the way `herald trigger run` reads them.
 */
export async function loadRouteTestInputs(resource: string, sources: RouteTestSources, engine: EngineConfig): Promise<RouteTestInputs> {
  const names = engine.notifications;
  const inputs = await readClusterInputs({
    configMap: sources.configMap,
    secret: sources.secret,
    resource,
    namespace: sources.namespace,
    kubeconfig: sources.kubeconfig,
    context: sources.context,
    names: { configMap: names.configMap, secret: names.secret, namespace: names.namespace },
    selfService: names.selfService,
  });
  const { config, issues } = compileInputs(inputs.configMap, inputs.secrets);
  const object = inputs.object!;
  const varName = objectVariable(object, sources, sources.var ? undefined : { path: '', config: engine });
  const own = inputs.namespaceConfig;
  const namespaceConfig = own ? { namespace: own.namespace, ...compileInputs(own.configMap, own.secrets), origin: own.configMap.file } : undefined;
  return { config, issues, object, varName, configOrigin: inputs.origins.configMap, ...(namespaceConfig ? { namespaceConfig } : {}) };
}
