import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { Meter, Tracer } from '@opentelemetry/api';
import { coreServices, systemClock, type BusSubscriber, type Logger, type ServiceRef } from '@herald/plugin-sdk';
import type { Bus } from '@herald/core-bus';
import type { Telemetry } from '@herald/core-telemetry';
import { TrackedSubscriber } from './tracked-subscriber.ts';

/** Tokens of what the kernel owns; one symbol per service ref id. */
const Tokens = {
  bus: Symbol.for('herald:kernel.bus'),
  telemetry: Symbol.for('herald:kernel.telemetry'),
  rootLogger: Symbol.for('herald:kernel.logger'),
} as const;

export function tokenFor(ref: ServiceRef<unknown>): symbol {
  return Symbol.for(`herald:${ref.id}`);
}

/** The root container: the services every plugin shares. Only the kernel resolves from it. */
export function createRootContainer(parts: { bus: Bus; telemetry: Telemetry; logger: Logger }): DependencyContainer {
  const root = globalContainer.createChildContainer();
  root.register(Tokens.bus, { useValue: parts.bus });
  root.register(Tokens.telemetry, { useValue: parts.telemetry });
  root.register(Tokens.rootLogger, { useValue: parts.logger });
  root.register(tokenFor(coreServices.clock), { useValue: systemClock });
  return root;
}

/**
 * A child container for one plugin: logger, tracer and meter bound to its id, a publisher whose events
 * name the plugin as their source, a subscriber whose subscriptions the kernel can stop, and a store of
 * its own keys (never the dedup claims).
 */
export function createPluginContainer(root: DependencyContainer, pluginId: string, kind: string, callTimeoutMs: number): DependencyContainer {
  const child = root.createChildContainer();
  const bus = root.resolve<Bus>(Tokens.bus);
  const telemetry = root.resolve<Telemetry>(Tokens.telemetry);
  const logger = root.resolve<Logger>(Tokens.rootLogger).child({ plugin: pluginId });
  const tracer: Tracer = telemetry.tracer(`herald.plugin.${pluginId}`);
  const meter: Meter = telemetry.meter(`herald.plugin.${pluginId}`);
  child.register(tokenFor(coreServices.logger), { useValue: logger });
  child.register(tokenFor(coreServices.tracer), { useValue: tracer });
  child.register(tokenFor(coreServices.meter), { useValue: meter });
  child.register(tokenFor(coreServices.publisher), { useValue: bus.publisher(`herald/${kind}/${pluginId}`, tracer) });
  child.register(tokenFor(coreServices.subscriber), { useValue: new TrackedSubscriber(bus.subscriber(tracer, logger), pluginId, callTimeoutMs) satisfies BusSubscriber });
  child.register(tokenFor(coreServices.store), { useValue: bus.pluginStore(pluginId) });
  return child;
}

