import type { z } from 'zod';
import type { EngineConfig } from '../config/engine-config.schema.ts';
import { envOverridesOf } from '../config/load-engine-config.ts';
import { PluginError } from '../errors.ts';
import { redactSecrets, validatePluginConfig } from './plugin-config.ts';
import { PluginCatalog } from './plugin-catalog.ts';
import { loadPlugin } from './plugin-loader.ts';

export interface InspectedPlugin {
  name: string;
  id: string;
  kind: 'source' | 'sink';
  /** Validated options with defaults, secrets redacted. */
  options: unknown;
}

/**
 * Loads every configured plugin and validates its options, without running any of its code beyond the
 * module itself: what `herald run` would refuse, found without starting anything.
 */
export async function inspectPlugins(
  config: EngineConfig,
  baseDir: string,
): Promise<{
  plugins: InspectedPlugin[];
  issues: string[];
  serviceSchemas: ReadonlyMap<string, z.ZodType>;
  templateSchemas: ReadonlyMap<string, z.ZodType>;
  /** Every service type a listed sink delivers: other `service.*` keys are refused, as the engine does. */
  serviceTypes: ReadonlySet<string>;
}> {
  const plugins: InspectedPlugin[] = [];
  const issues: string[] = [];
  // The same checks of plugins against each other as the engine's, so a config `run` refuses is not "valid".
  const catalog = new PluginCatalog();
  for (const [index, entry] of config.plugins.entries()) {
    try {
      const plugin = await loadPlugin(entry.name, { baseDir, pluginsFolder: config.pluginsFolder });
      catalog.add(plugin, index);
      const options = validatePluginConfig(plugin.id, index, plugin.configSchema, entry.options, envOverridesOf(config));
      plugins.push({ name: entry.name, id: plugin.id, kind: plugin.kind, options: redactSecrets(plugin.configSchema, options) });
    } catch (err) {
      if (!(err instanceof PluginError)) throw err;
      issues.push(err.message);
    }
  }
  const { serviceSchemas, templateSchemas } = catalog;
  return { plugins, issues, serviceSchemas, templateSchemas, serviceTypes: new Set(catalog.serviceTypes.keys()) };
}
