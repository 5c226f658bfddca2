import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreatePluginError, CreatePluginErrorCodes } from './errors.ts';
import { packageNameProblems, pluginIdFor } from './package-name.ts';

export const PLUGIN_KINDS = ['sink', 'source'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The range a new plugin declares for the SDK (peerDependency and `sdkVersion`) and the kit. */
export const SDK_RANGE = '^1.0.0';

// templates/<kind>/ beside src/ and dist/ alike: the package ships the folder as it is.
const templates = fileURLToPath(new URL('../templates/', import.meta.url));

export interface CreatePluginOptions {
  /** The npm package name of the new plugin, e.g. `herald-sink-pager` or `@acme/herald-sink-pager`. */
  name: string;
  kind: PluginKind;
  /** Where to create it (default: the name without its scope, in `cwd`). Must not exist, or be empty. */
  directory?: string;
  /** Base of a relative `directory` (default: the working directory). */
  cwd?: string;
  /**
   * The devDependency specs of `@herald/plugin-sdk` and `@herald/plugin-testing` (default `^1.0.0`): a
   * tarball (`file:/…/herald-plugin-sdk-1.0.0.tgz`) tries a plugin against packages not published yet.
   */
  sdk?: string;
  testing?: string;
}

export interface CreatedPlugin {
  /** Absolute path of the new package. */
  directory: string;
  name: string;
  kind: PluginKind;
  /** The plugin's id (and, for a sink, its service type). */
  id: string;
  /** The files written, relative to `directory`, sorted. */
  files: string[];
}

/** Throws a CreatePluginError unless `name` is a valid name for a new npm package. */
export function assertPackageName(name: string): void {
  const problems = packageNameProblems(name);
  if (problems.length > 0) {
    throw new CreatePluginError(CreatePluginErrorCodes.invalidName, `"${name}" is not a valid npm package name: ${problems.join('; ')}`);
  }
}

export function assertKind(kind: string): asserts kind is PluginKind {
  if (!(PLUGIN_KINDS as readonly string[]).includes(kind)) {
    throw new CreatePluginError(CreatePluginErrorCodes.invalidKind, `--kind must be ${PLUGIN_KINDS.join(' or ')}, not "${kind}"`);
  }
}

/**
 * Writes a new plugin package from the templates of its kind: every `*.tmpl` file with its `.tmpl` cut
 * and the `__PLACEHOLDERS__` replaced (`gitignore` becomes `.gitignore`: npm would drop a packed one).
 * Refuses a folder that exists and is not empty, before writing anything.
 */
export async function createPlugin(options: CreatePluginOptions): Promise<CreatedPlugin> {
  assertPackageName(options.name);
  assertKind(options.kind);
  const directory = resolve(options.cwd ?? process.cwd(), options.directory ?? options.name.replace(/^@[^/]+\//, ''));
  await assertEmptyFolder(directory);
  const id = pluginIdFor(options.name);
  const values: Record<string, string> = {
    __PACKAGE_NAME__: options.name,
    __PLUGIN_ID__: id,
    __SERVICE_TYPE__: id,
    // What `npm pack` names the tarball of version 0.1.0: `@acme/x` → `acme-x-0.1.0.tgz`.
    __TARBALL__: `${options.name.replace(/^@/, '').replace('/', '-')}-0.1.0.tgz`,
    __SDK_RANGE__: SDK_RANGE,
    __SDK_DEV__: options.sdk ?? SDK_RANGE,
    __TESTING_DEV__: options.testing ?? SDK_RANGE,
  };
  const source = join(templates, options.kind);
  const files: string[] = [];
  for (const template of await templateFiles(source)) {
    const target = template
      .replace(/\.tmpl$/, '')
      .split('/')
      .map((part) => (part === 'gitignore' ? '.gitignore' : part))
      .join('/');
    const text = (await readFile(join(source, template), 'utf8')).replace(/__[A-Z_]+__/g, (token) => values[token] ?? token);
    await mkdir(dirname(join(directory, target)), { recursive: true });
    await writeFile(join(directory, target), text);
    files.push(target);
  }
  return { directory, name: options.name, kind: options.kind, id, files: files.sort() };
}

async function assertEmptyFolder(directory: string): Promise<void> {
  const info = await stat(directory).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return;
  if (!info.isDirectory()) {
    throw new CreatePluginError(CreatePluginErrorCodes.folderNotEmpty, `${directory} exists and is a file; choose another name or --directory`);
  }
  const entries = await readdir(directory);
  if (entries.length > 0) {
    throw new CreatePluginError(
      CreatePluginErrorCodes.folderNotEmpty,
      `${directory} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); nothing was written. Choose another name or --directory, or empty the folder`,
    );
  }
}

async function templateFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    // An installation that kept only dist/ (a container image): say so rather than fail on a missing file.
    if (err.code !== 'ENOENT') throw err;
    throw new CreatePluginError(CreatePluginErrorCodes.templatesMissing, `the starter's templates are not installed (${folder}); run npm create @herald/plugin instead`, { cause: err });
  });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.tmpl')).map((e) => relative(folder, join(e.parentPath, e.name)).split('\\').join('/'));
}
