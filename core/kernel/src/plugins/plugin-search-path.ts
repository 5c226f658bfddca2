import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The image's plugins folder when HERALD_PLUGINS_PATH does not name one (docs/reference/engine-config.md). */
export const DEFAULT_IMAGE_PLUGINS_PATH = '/plugins';

export interface SearchFolder {
  /** A `node_modules` folder a plugin package is looked for in. */
  folder: string;
  /** Why it is searched, for error messages: `pluginsFolder`, `next to herald.yaml`, … */
  origin: string;
  /** One of Herald's own folders: Node resolves from it exactly as Herald's own imports do. */
  herald?: true;
}

export interface PluginSearchOptions {
  /** Where herald.yaml lives: relative plugin paths and `pluginsFolder` resolve from it. */
  baseDir: string;
  /** herald.yaml `pluginsFolder`: a folder where the user ran `npm i <plugin>`. */
  pluginsFolder?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Where a plugin named by package is looked for, in order; the first folder holding the package wins:
 * herald.yaml's `pluginsFolder`, a `node_modules` next to herald.yaml, the image's plugins folders
 * (HERALD_PLUGINS_PATH, `:`-separated, default /plugins), then Herald's own `node_modules` (the built-in plugins).
 * Each of the first three is a folder with a `node_modules` inside, so installing a plugin never edits
 * Herald's package.json or lockfile.
 */
export function pluginSearchPath(options: PluginSearchOptions): SearchFolder[] {
  const env = options.env ?? process.env;
  const folders: SearchFolder[] = [];
  if (options.pluginsFolder !== undefined) {
    folders.push({ folder: join(resolve(options.baseDir, options.pluginsFolder), 'node_modules'), origin: 'pluginsFolder in herald.yaml' });
  }
  folders.push({ folder: join(resolve(options.baseDir), 'node_modules'), origin: 'next to herald.yaml' });
  const imageFolders = (env.HERALD_PLUGINS_PATH ?? DEFAULT_IMAGE_PLUGINS_PATH).split(delimiter).filter(Boolean);
  for (const folder of imageFolders) folders.push({ folder: join(resolve(folder), 'node_modules'), origin: 'HERALD_PLUGINS_PATH' });
  for (const folder of heraldNodeModules()) folders.push({ folder, origin: "Herald's own packages", herald: true });
  // One folder reached two ways is searched once, under its first reason.
  return folders.filter((f, i) => folders.findIndex((g) => g.folder === f.folder) === i);
}

/** The `node_modules` folders Node itself would search from Herald's kernel: where the built-in plugins are. */
function heraldNodeModules(): string[] {
  const found: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) found.push(candidate);
    const parent = dirname(dir);
    if (parent === dir) return found;
    dir = parent;
  }
}
