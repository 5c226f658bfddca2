import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface PluginPackage {
  /** npm package name: `herald-sink-file`, `@acme/herald-pager`. */
  name: string;
  /** The plugin's id (defineSink's `id`). */
  id: string;
  /** defineSink's `sdkVersion`. */
  sdkVersion: string;
  /** `peerDependencies['@herald/plugin-sdk']`; none when undefined. */
  peerRange?: string;
  /** The package's `exports`; default: only an `import` condition. */
  exports?: unknown;
  /** Counter the sink adds 1 to at init, through `coreServices.meter`. */
  counter?: string;
}

/**
 * Writes a sink plugin package into `<folder>/node_modules/<name>`, as `npm i <name>` run in `folder` would
 * leave it: plain JavaScript (no type stripping inside node_modules), the SDK as a peerDependency and no
 * copy of its own.
 */
export function installPluginPackage(folder: string, plugin: PluginPackage): string {
  const dir = join(folder, 'node_modules', plugin.name);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  const manifest = {
    name: plugin.name,
    version: '1.2.3',
    type: 'module',
    exports: plugin.exports ?? { '.': { import: './dist/index.js' } },
    ...(plugin.peerRange === undefined ? {} : { peerDependencies: { '@herald/plugin-sdk': plugin.peerRange } }),
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(
    join(dir, 'dist', 'index.js'),
    `import { coreServices, defineSink, z } from '@herald/plugin-sdk';

export default defineSink({
  id: ${JSON.stringify(plugin.id)},
  sdkVersion: ${JSON.stringify(plugin.sdkVersion)},
  serviceTypes: [${JSON.stringify(plugin.id)}],
  configSchema: z.strictObject({ folder: z.string().default('/tmp') }),
  deps: { meter: coreServices.meter },
  init: async ({ meter }) => {
    ${plugin.counter ? `meter.createCounter(${JSON.stringify(plugin.counter)}, { description: 'files written' }).add(1, { folder: 'out' });` : ''}
    return { send: async () => undefined, stop: async () => undefined };
  },
});
`,
  );
  return dir;
}

/** A file inside an installed package, for packages that bring more than the plugin. */
export function writePackageFile(packageDir: string, path: string, text: string): void {
  mkdirSync(dirname(join(packageDir, path)), { recursive: true });
  writeFileSync(join(packageDir, path), text);
}
