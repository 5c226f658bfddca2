import type { DependencyContainer } from 'tsyringe';
import type { NotificationConfig, NotificationConfigProvider } from '@herald/core-notification-config';
import type { Logger } from '@herald/plugin-sdk';
import type { Role } from './config/engine-config.schema.ts';
import { registerCoreRoles } from './container.ts';
import { CoreTokens } from './tokens.ts';

export interface CoreRoles {
  /** The notification config, for the evaluator and the sinks; absent when neither runs here. */
  notifications: NotificationConfigProvider | undefined;
  /** Self-service: the config of an object's own namespace, if it has one; absent when self-service is off. */
  namespaceConfig: ((namespace: string) => NotificationConfig | undefined) | undefined;
  /** Self-service: the namespaces whose own config is in force; absent when self-service is off. */
  configNamespaces: (() => string[]) | undefined;
  stop(): Promise<void>;
}

interface CoreRole {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Resolves and starts what the core does itself, for the roles this process runs: the notification config
 * (evaluator and sink roles), the state role and the evaluator role, in that order; stops them in reverse.
 * Part of the composition root: the role classes get their services by constructor injection.
 */
export async function startCoreRoles(container: DependencyContainer): Promise<CoreRoles> {
  const roles = container.resolve<readonly Role[]>(CoreTokens.roles);
  const logger = container.resolve<Logger>(CoreTokens.rootLogger);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tsyringe's constructor token type
  const wanted: (new (...args: any[]) => CoreRole)[] = [];
  const { NotificationConfigRole, StateRole, EvaluatorRole } = await registerCoreRoles(container, roles);
  if (NotificationConfigRole) wanted.push(NotificationConfigRole);
  if (StateRole) wanted.push(StateRole);
  if (EvaluatorRole) wanted.push(EvaluatorRole);

  const started: CoreRole[] = [];
  const stop = async () => {
    for (const role of started.splice(0).reverse()) await role.stop().catch((err: unknown) => logger.error({ err }, 'core role did not stop cleanly'));
  };
  try {
    for (const type of wanted) {
      const role = container.resolve(type);
      started.push(role);
      await role.start();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const configRole = NotificationConfigRole ? container.resolve(NotificationConfigRole) : undefined;
  return { notifications: configRole?.provider, namespaceConfig: configRole?.namespaceConfig, configNamespaces: configRole?.configNamespaces, stop };
}
