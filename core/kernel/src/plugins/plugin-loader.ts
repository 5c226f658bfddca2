import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTRACT_VERSION, isHeraldPlugin, type HeraldPlugin } from '@herald/plugin-sdk';
import { KernelErrorCodes, PluginError } from '../errors.ts';
import { packageEntry, parsePackageSpecifier, readManifest } from './package-entry.ts';
import { pluginSearchPath, type PluginSearchOptions } from './plugin-search-path.ts';
import { checkSdkRange } from './sdk-version.ts';
import { SDK_PACKAGE, shareSdkWithPlugins } from './sdk-sharing.ts';

export type { PluginSearchOptions } from './plugin-search-path.ts';

/**
 * Imports a plugin module named by package (looked for along `pluginSearchPath`) or by path (relative to
 * herald.yaml), and returns its default export once it passed the brand, contract and SDK-range checks.
 */
export async function loadPlugin(name: string, search: PluginSearchOptions): Promise<HeraldPlugin> {
  shareSdkWithPlugins();
  const isPath = name.startsWith('.') || isAbsolute(name);
  const target = isPath ? pathToFileURL(resolve(search.baseDir, name)).href : findPackage(name, search);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (cause) {
    throw new PluginError(name, KernelErrorCodes.pluginLoad, `cannot load: ${(cause as Error).message}`, { cause });
  }
  const plugin = mod.default ?? mod.plugin;
  checkPlugin(name, plugin);
  return plugin;
}

/** The file URL of `name` in the first search folder holding its package; its SDK peer range checked. */
function findPackage(name: string, search: PluginSearchOptions): string {
  const folders = pluginSearchPath(search);
  const spec = parsePackageSpecifier(name);
  if (spec) {
    for (const { folder, herald } of folders) {
      const packageDir = join(folder, spec.packageName);
      if (!existsSync(join(packageDir, 'package.json'))) continue;
      let manifest;
      try {
        manifest = readManifest(packageDir);
      } catch (cause) {
        throw new PluginError(name, KernelErrorCodes.pluginLoad, `cannot read ${join(packageDir, 'package.json')}: ${(cause as Error).message}`, { cause });
      }
      const peerRange = manifest.peerDependencies?.[SDK_PACKAGE];
      if (peerRange !== undefined) checkSdkRange(name, peerRange, `peerDependencies of ${join(packageDir, 'package.json')}`);
      if (herald) return resolveAsHerald(name);
      const entry = packageEntry(packageDir, manifest, spec.subpath);
      if (entry === undefined) {
        throw new PluginError(name, KernelErrorCodes.pluginLoad, `${packageDir} does not export "${spec.subpath}" to import (no "import" or "default" entry in its "exports", or the file is missing)`);
      }
      // The real path, as Node would load it: a symlinked package (npm link, workspaces) is one module.
      return pathToFileURL(realpathSync(entry)).href;
    }
  }
  const searched = folders.map(({ folder, origin }) => `${folder} (${origin}${existsSync(folder) ? '' : ', missing'})`);
  throw new PluginError(name, KernelErrorCodes.pluginNotFound, `no package ${JSON.stringify(spec?.packageName ?? name)} in any plugin folder; searched, in order:\n    ${searched.join('\n    ')}`);
}

/** A built-in plugin, resolved by Node as Herald's own imports are (its conditions, its symlinks). */
function resolveAsHerald(name: string): string {
  try {
    return import.meta.resolve(name);
  } catch (cause) {
    throw new PluginError(name, KernelErrorCodes.pluginLoad, `cannot load: ${(cause as Error).message}`, { cause });
  }
}

/** The checks done before a plugin's code runs: is it a plugin, and was it built for this kernel? */
export function checkPlugin(name: string, plugin: unknown): asserts plugin is HeraldPlugin {
  if (!isHeraldPlugin(plugin)) {
    throw new PluginError(name, KernelErrorCodes.pluginNotAPlugin, 'the module does not export a plugin made with defineSource() or defineSink() as its default export');
  }
  const id = plugin.id;
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    throw new PluginError(name, KernelErrorCodes.pluginNotAPlugin, `invalid id ${JSON.stringify(id)}: use lower-case letters, digits and '-'`);
  }
  if (plugin.contractVersion !== CONTRACT_VERSION) {
    throw new PluginError(
      id,
      KernelErrorCodes.pluginContract,
      `built for plugin contract ${String(plugin.contractVersion)}, but this Herald speaks contract ${CONTRACT_VERSION}; rebuild it with a matching @herald/plugin-sdk`,
    );
  }
  checkSdkRange(id, plugin.sdkVersion, 'sdkVersion');
  if (plugin.kind !== 'source' && plugin.kind !== 'sink') {
    throw new PluginError(id, KernelErrorCodes.pluginNotAPlugin, `unknown plugin kind ${JSON.stringify(plugin.kind)}`);
  }
  if (plugin.kind === 'sink') {
    const bad = (plugin.serviceTypes ?? []).find((t) => !/^[A-Za-z0-9_-]+$/.test(t));
    if (bad !== undefined || !plugin.serviceTypes?.length) {
      throw new PluginError(id, KernelErrorCodes.pluginNotAPlugin, `serviceTypes must name at least one type of letters, digits, '-' and '_'${bad === undefined ? '' : `, not ${JSON.stringify(bad)}`}`);
    }
  }
}
