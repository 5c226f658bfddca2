import type { ServiceRef } from '@herald/plugin-sdk';

/**
 * Injection tokens of what the core owns. Symbols, so nothing outside the kernel can register or resolve
 * them by accident; the plugin-facing services use one token per SDK service ref (`tokenFor`).
 */
export const CoreTokens = {
  engineConfig: Symbol.for('herald:kernel.engine-config'),
  roles: Symbol.for('herald:kernel.roles'),
  bus: Symbol.for('herald:kernel.bus'),
  telemetry: Symbol.for('herald:kernel.telemetry'),
  rootLogger: Symbol.for('herald:kernel.logger'),
  /** Service-options schema of each service type a loaded sink delivers. */
  serviceSchemas: Symbol.for('herald:kernel.service-schemas'),
  /** Service types the sinks listed in herald.yaml deliver (whether or not this process runs them). */
  serviceTypes: Symbol.for('herald:kernel.service-types'),
  /** Template-block schema of each service type whose sink declares one. */
  templateSchemas: Symbol.for('herald:kernel.template-schemas'),
} as const;

export function tokenFor(ref: ServiceRef<unknown>): symbol {
  return Symbol.for(`herald:${ref.id}`);
}
