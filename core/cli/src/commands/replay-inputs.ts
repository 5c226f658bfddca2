import type { EngineConfig } from '@herald/core-kernel';
import type { CompiledNotificationConfig } from '@herald/core-notification-config';
import { readClusterInputs } from './cluster-inputs.ts';
import { compileInputs, loadNotificationConfig } from './notification-inputs.ts';

export interface ReplayConfigs {
  candidate: CompiledNotificationConfig;
  current: CompiledNotificationConfig & { from: string };
}

/** Where the config in force is read from when neither `--current` nor herald.yaml's files name it. */
export interface ClusterFlags {
  namespace?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/**
 * The two notification configs `herald replay` compares: the candidate from its file, and the one in force
 * from `--current`, else the engine config's `notifications.files`, else the ConfigMap and Secret herald.yaml
 * names, read from the cluster (as `herald run` reads them).
 */
export async function loadReplayConfigs(
  options: { configMap: string; secret?: string; current?: string; currentSecret?: string } & ClusterFlags,
  engine: EngineConfig,
): Promise<ReplayConfigs> {
  const candidate = loadNotificationConfig({ configMap: options.configMap, ...(options.secret ? { secret: options.secret } : {}) });
  const files = options.current ? { configMap: options.current, ...(options.currentSecret ? { secret: options.currentSecret } : {}) } : engine.notifications.files;
  if (files) return { candidate, current: { ...loadNotificationConfig(files), from: files.configMap } };
  const names = engine.notifications;
  const inForce = await readClusterInputs({
    secret: options.currentSecret,
    namespace: options.namespace,
    kubeconfig: options.kubeconfig,
    context: options.context,
    names: { configMap: names.configMap, secret: names.secret, namespace: names.namespace },
  });
  return { candidate, current: { ...compileInputs(inForce.configMap, inForce.secrets), from: inForce.origins.configMap } };
}
