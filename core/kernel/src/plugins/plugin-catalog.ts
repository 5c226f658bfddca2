import type { HeraldPlugin } from '@herald/plugin-sdk';
import type { z } from 'zod';
import { KernelErrorCodes, PluginError } from '../errors.ts';

/**
 * The plugins of one config, checked against each other: one id once, one service type to one sink (two
 * sinks on a type would split its notifications between them). `herald run` and `herald config check` both
 * add plugins here, so they refuse the same configs.
 */
export class PluginCatalog {
  readonly #ids = new Set<string>();
  /** Service type → the sink delivering it. */
  readonly serviceTypes = new Map<string, string>();
  /** What the notification config's `service.*` keys and `template.*` blocks are checked against. */
  readonly serviceSchemas = new Map<string, z.ZodType>();
  readonly templateSchemas = new Map<string, z.ZodType>();

  /** Adds the plugin of `plugins[index]`, or throws a PluginError naming what it clashes with. */
  add(plugin: HeraldPlugin, index: number): void {
    if (this.#ids.has(plugin.id)) throw new PluginError(plugin.id, KernelErrorCodes.pluginDuplicate, `listed twice (plugins[${index}])`);
    if (plugin.kind === 'sink') {
      const taken = plugin.serviceTypes.find((type) => this.serviceTypes.has(type));
      if (taken !== undefined) {
        throw new PluginError(plugin.id, KernelErrorCodes.pluginDuplicate, `service type "${taken}" is already delivered by plugin "${this.serviceTypes.get(taken)!}"`);
      }
      for (const type of plugin.serviceTypes) {
        this.serviceTypes.set(type, plugin.id);
        if (plugin.serviceConfigSchema) this.serviceSchemas.set(type, plugin.serviceConfigSchema);
        if (plugin.templateSchema) this.templateSchemas.set(type, plugin.templateSchema);
      }
    }
    this.#ids.add(plugin.id);
  }
}
