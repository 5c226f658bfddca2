import { HeraldError } from '@herald/plugin-sdk';
import type { EngineConfig } from '@herald/core-kernel';
import { NotificationConfigErrorCodes, type CompiledNotificationConfig } from '@herald/core-notification-config';
import { loadNotificationConfig } from './notification-inputs.ts';

export interface ReplayConfigs {
  candidate: CompiledNotificationConfig;
  current: CompiledNotificationConfig & { from: string };
}

/**
 * The two notification configs `herald replay` compares: the candidate from its file, and the one in force
 * from `--current` or the engine config's `notifications.files`. From files today; the one place to switch
 * to reading the config in force from the cluster.
 */
export function loadReplayConfigs(options: { configMap: string; secret?: string; current?: string; currentSecret?: string }, engine: EngineConfig): ReplayConfigs {
  const candidate = loadNotificationConfig({ configMap: options.configMap, ...(options.secret ? { secret: options.secret } : {}) });
  const files = options.current ? { configMap: options.current, ...(options.currentSecret ? { secret: options.currentSecret } : {}) } : engine.notifications.files;
  if (!files) {
    throw new HeraldError(
      NotificationConfigErrorCodes.invalid,
      `give the notification config in force with --current <file> (the engine config reads it from configmap ${engine.notifications.namespace ?? '<its namespace>'}/${engine.notifications.configMap}: export it with kubectl get configmap -o yaml)`,
    );
  }
  return { candidate, current: { ...loadNotificationConfig(files), from: files.configMap } };
}
