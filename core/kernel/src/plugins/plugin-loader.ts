import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTRACT_VERSION, isHeraldPlugin, SDK_VERSION, type HeraldPlugin } from '@herald/plugin-sdk';
import semver from 'semver';
import { KernelErrorCodes, PluginError } from '../errors.ts';

/**
 * Imports a plugin module named by package (resolved from `baseDir`, where herald.yaml lives) or by path,
 * and returns its default export once it passed the brand, contract and SDK-range checks.
 */
export async function loadPlugin(name: string, baseDir: string): Promise<HeraldPlugin> {
  const isPath = name.startsWith('.') || isAbsolute(name);
  let mod: Record<string, unknown>;
  try {
    const target = isPath ? pathToFileURL(resolve(baseDir, name)).href : resolvePackage(name, baseDir);
    mod = (await import(target)) as Record<string, unknown>;
  } catch (cause) {
    throw new PluginError(name, KernelErrorCodes.pluginLoad, `cannot load: ${(cause as Error).message}`, { cause });
  }
  const plugin = mod.default ?? mod.plugin;
  checkPlugin(name, plugin);
  return plugin;
}

function resolvePackage(name: string, baseDir: string): string {
  try {
    return pathToFileURL(createRequire(resolve(baseDir, 'herald.yaml')).resolve(name)).href;
  } catch {
    // Not installed next to the config: fall back to what Herald itself can import (bundled plugins).
    return import.meta.resolve(name);
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
  const range = semver.validRange(plugin.sdkVersion);
  if (!range) {
    throw new PluginError(id, KernelErrorCodes.pluginSdkRange, `sdkVersion ${JSON.stringify(plugin.sdkVersion)} is not a semver range`);
  }
  if (!semver.satisfies(SDK_VERSION, range)) {
    throw new PluginError(id, KernelErrorCodes.pluginSdkRange, `needs @herald/plugin-sdk ${plugin.sdkVersion}, but this Herald provides ${SDK_VERSION}`);
  }
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
