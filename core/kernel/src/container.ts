import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import type { Meter, Tracer } from '@opentelemetry/api';
import { coreServices, systemClock, type BusSubscriber, type Logger, type ResyncRequests } from '@herald/plugin-sdk';
import type { Bus } from '@herald/core-bus';
import type { Telemetry } from '@herald/core-telemetry';
import type { EngineConfig, Role } from './config/engine-config.schema.ts';
import { KubeConnection } from './roles/kube-connection.ts';
import { pluginLogger } from './plugins/plugin-logger.ts';
import { CoreTokens, tokenFor } from './tokens.ts';
import { TrackedSubscriber } from './tracked-subscriber.ts';

export { tokenFor } from './tokens.ts';

export interface RootParts {
  config: EngineConfig;
  roles: readonly Role[];
  bus: Bus;
  telemetry: Telemetry;
  logger: Logger;
}

/**
 * The root container: what the core is made of (engine config, bus, telemetry, the core roles as
 * singletons) and the services every plugin shares. Only the composition root (the kernel) resolves from it.
 */
export function createRootContainer(parts: RootParts): DependencyContainer {
  const root = globalContainer.createChildContainer();
  root.register(CoreTokens.engineConfig, { useValue: parts.config });
  root.register(CoreTokens.roles, { useValue: parts.roles });
  root.register(CoreTokens.bus, { useValue: parts.bus });
  root.register(CoreTokens.telemetry, { useValue: parts.telemetry });
  root.register(CoreTokens.rootLogger, { useValue: parts.logger });
  root.register(tokenFor(coreServices.clock), { useValue: systemClock });
  root.registerSingleton(KubeConnection);
  return root;
}

/** The classes of the core roles a process runs; a role it does not run is absent. */
export interface CoreRoleClasses {
  NotificationConfigRole?: typeof import('./roles/notification-config-role.ts').NotificationConfigRole;
  StateRole?: typeof import('./roles/state-role.ts').StateRole;
  EvaluatorRole?: typeof import('./roles/evaluator-role.ts').EvaluatorRole;
}

/**
 * Imports the core roles this process runs and registers each as a singleton of the root: a source-only or
 * state-only process never loads the evaluator's expression and template engines (docs/benchmarks.md,
 * "Memory (third wave)"). The notification config serves the evaluator and the sinks.
 */
export async function registerCoreRoles(root: DependencyContainer, roles: readonly Role[]): Promise<CoreRoleClasses> {
  const classes: CoreRoleClasses = {};
  if (roles.includes('evaluator') || roles.includes('sink')) classes.NotificationConfigRole = (await import('./roles/notification-config-role.ts')).NotificationConfigRole;
  if (roles.includes('state')) classes.StateRole = (await import('./roles/state-role.ts')).StateRole;
  if (roles.includes('evaluator')) classes.EvaluatorRole = (await import('./roles/evaluator-role.ts')).EvaluatorRole;
  for (const role of Object.values(classes)) if (!root.isRegistered(role)) root.registerSingleton(role as never);
  return classes;
}

/** What the loaded sinks declare, which the notification config reads services and templates with. */
export function registerSinkSchemas(
  root: DependencyContainer,
  schemas: { types: ReadonlySet<string>; service: ReadonlyMap<string, z.ZodType>; template: ReadonlyMap<string, z.ZodType> },
): void {
  root.register(CoreTokens.serviceTypes, { useValue: schemas.types });
  root.register(CoreTokens.serviceSchemas, { useValue: schemas.service });
  root.register(CoreTokens.templateSchemas, { useValue: schemas.template });
}

/**
 * A child container for one plugin: logger, tracer and meter bound to its id, a publisher whose events
 * name the plugin as their source, a subscriber whose subscriptions the kernel can stop, a store of
 * its own keys (never the dedup claims), and the installation's resync requests.
 */
export function createPluginContainer(root: DependencyContainer, pluginId: string, kind: string, callTimeoutMs: number): DependencyContainer {
  const child = root.createChildContainer();
  const bus = root.resolve<Bus>(CoreTokens.bus);
  const telemetry = root.resolve<Telemetry>(CoreTokens.telemetry);
  const logger = pluginLogger(root.resolve<Logger>(CoreTokens.rootLogger), pluginId);
  const tracer: Tracer = telemetry.tracer(`herald.plugin.${pluginId}`);
  const meter: Meter = telemetry.meter(`herald.plugin.${pluginId}`);
  child.register(tokenFor(coreServices.logger), { useValue: logger });
  child.register(tokenFor(coreServices.tracer), { useValue: tracer });
  child.register(tokenFor(coreServices.meter), { useValue: meter });
  child.register(tokenFor(coreServices.publisher), { useValue: bus.publisher(`herald/${kind}/${pluginId}`, tracer) });
  child.register(tokenFor(coreServices.subscriber), { useValue: new TrackedSubscriber(bus.subscriber(tracer, logger), pluginId, callTimeoutMs) satisfies BusSubscriber });
  child.register(tokenFor(coreServices.store), { useValue: bus.pluginStore(pluginId) });
  child.register(tokenFor(coreServices.resyncRequests), { useValue: bus.resyncRequests satisfies ResyncRequests });
  return child;
}
