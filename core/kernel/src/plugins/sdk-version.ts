import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The two functions alone (semver's documented per-function modules): its index loads all 47 of its files.
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { KernelErrorCodes, PluginError } from '../errors.ts';
import { SDK_PACKAGE } from './sdk-sharing.ts';

let cached: string | undefined;

/** The version of the SDK Herald runs with, read from that copy's package.json (the one plugins get). */
export function heraldSdkVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.resolve(SDK_PACKAGE)));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === SDK_PACKAGE && manifest.version) return (cached = manifest.version);
    } catch {
      // No package.json at this level: keep going up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of ${SDK_PACKAGE}`);
    dir = parent;
  }
}

/**
 * Refuses a plugin whose SDK range (`sdkVersion` in defineSink/defineSource, or the peerDependency in its
 * package.json) this Herald's SDK does not satisfy: a plugin built against another major would meet an API it
 * was not written for.
 */
export function checkSdkRange(plugin: string, range: unknown, declaredIn: string): void {
  const version = heraldSdkVersion();
  const valid = typeof range === 'string' ? validRange(range) : null;
  if (!valid) {
    throw new PluginError(plugin, KernelErrorCodes.pluginSdkRange, `${declaredIn} ${JSON.stringify(range)} is not a semver range`);
  }
  if (!satisfies(version, valid)) {
    throw new PluginError(plugin, KernelErrorCodes.pluginSdkRange, `needs ${SDK_PACKAGE} ${String(range)} (${declaredIn}), but this Herald provides ${version}`);
  }
}
