import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { installPluginPackage, writePackageFile } from '../__fixtures__/plugin-package.ts';
import { KernelErrorCodes, PluginError } from '../errors.ts';
import { loadPlugin, type PluginSearchOptions } from './plugin-loader.ts';
import { heraldSdkVersion } from './sdk-version.ts';

const fixtures = fileURLToPath(new URL('../__fixtures__/', import.meta.url));
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const sdkVersion = heraldSdkVersion();
const compatible = `^${sdkVersion}`;
const nextMajor = `^${semver.inc(sdkVersion, 'major')!}`;

async function loadError(name: string, search: PluginSearchOptions = { baseDir: fixtures }): Promise<PluginError> {
  try {
    await loadPlugin(name, search);
  } catch (err) {
    expect(err).toBeInstanceOf(PluginError);
    return err as PluginError;
  }
  throw new Error(`expected ${name} to be refused`);
}

/** A folder holding herald.yaml, as a user would have it, and an empty image plugins folder. */
function userFolder(): { dir: string; image: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-plugins-'));
  const image = join(dir, 'image-plugins');
  return { dir, image, env: { HERALD_PLUGINS_PATH: image } };
}

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('loading plugins', () => {
  it('loads a plugin by package name', async () => {
    const plugin = await loadPlugin('@herald/plugin-testing/ticker', { baseDir: fixtures });
    expect(plugin).toMatchObject({ id: 'ticker', kind: 'source' });
  });

  it('loads a plugin by path relative to the config', async () => {
    expect(await loadPlugin('./probe-source.ts', { baseDir: fixtures })).toMatchObject({ id: 'probe', kind: 'source' });
  });

  it.each([
    ['./wrong-contract-sink.ts', KernelErrorCodes.pluginContract, 'plugin "from-the-future": built for plugin contract 2, but this Herald speaks contract 1'],
    ['./sdk-mismatch-sink.ts', KernelErrorCodes.pluginSdkRange, `plugin "needs-newer-sdk": needs @herald/plugin-sdk ^3.0.0 (sdkVersion), but this Herald provides ${sdkVersion}`],
    ['./not-a-plugin.ts', KernelErrorCodes.pluginNotAPlugin, 'plugin "./not-a-plugin.ts": the module does not export a plugin'],
    ['./missing.ts', KernelErrorCodes.pluginLoad, 'plugin "./missing.ts": cannot load'],
    ['@herald/no-such-plugin', KernelErrorCodes.pluginNotFound, 'plugin "@herald/no-such-plugin": no package "@herald/no-such-plugin" in any plugin folder'],
  ])('refuses %s with a clear, attributed error', async (name, code, message) => {
    const error = await loadError(name);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

describe('installing a plugin without touching Herald', () => {
  it('loads a package installed in pluginsFolder by name: exports with only `import`, the SDK a peer it has no copy of', async () => {
    const before = [hash(join(repo, 'package.json')), hash(join(repo, 'package-lock.json'))];
    const { dir, env } = userFolder();
    installPluginPackage(join(dir, 'plugins'), { name: 'herald-sink-file', id: 'file', sdkVersion: compatible, peerRange: compatible });

    const plugin = await loadPlugin('herald-sink-file', { baseDir: dir, pluginsFolder: './plugins', env });

    expect(plugin).toMatchObject({ id: 'file', kind: 'sink', serviceTypes: ['file'] });
    expect(plugin.configSchema.parse({})).toEqual({ folder: '/tmp' });
    expect([hash(join(repo, 'package.json')), hash(join(repo, 'package-lock.json'))]).toEqual(before);
  });

  it('searches pluginsFolder, then next to herald.yaml, then HERALD_PLUGINS_PATH, then Herald’s own packages', async () => {
    const { dir, image, env } = userFolder();
    const search = { baseDir: dir, pluginsFolder: 'plugins', env };
    const inFolder = installPluginPackage(join(dir, 'plugins'), { name: 'herald-sink-order', id: 'from-plugins-folder', sdkVersion: compatible });
    const nextToYaml = installPluginPackage(dir, { name: 'herald-sink-order', id: 'from-next-to-yaml', sdkVersion: compatible });
    installPluginPackage(image, { name: 'herald-sink-order', id: 'from-image', sdkVersion: compatible });

    expect((await loadPlugin('herald-sink-order', search)).id).toBe('from-plugins-folder');
    rmSync(inFolder, { recursive: true });
    expect((await loadPlugin('herald-sink-order', search)).id).toBe('from-next-to-yaml');
    rmSync(nextToYaml, { recursive: true });
    expect((await loadPlugin('herald-sink-order', search)).id).toBe('from-image');
    // A built-in is found in Herald's own node_modules when no plugin folder has it.
    expect((await loadPlugin('@herald/plugin-testing/tap', search)).id).toBe('tap');
  });

  it('reads subpaths and patterns of `exports` with the import conditions, and refuses a require-only package', async () => {
    const { dir, env } = userFolder();
    const pkg = installPluginPackage(dir, {
      name: '@acme/herald-plugins',
      id: 'acme-file',
      sdkVersion: compatible,
      exports: { './sinks/*': [{ require: './cjs/*.cjs', node: { import: './dist/*.js' } }] },
    });
    writePackageFile(pkg, 'dist/file.js', "export { default } from './index.js';\n");
    expect((await loadPlugin('@acme/herald-plugins/sinks/file', { baseDir: dir, env })).id).toBe('acme-file');

    installPluginPackage(dir, { name: 'herald-sink-cjs', id: 'cjs', sdkVersion: compatible, exports: { '.': { require: './dist/index.js' } } });
    const error = await loadError('herald-sink-cjs', { baseDir: dir, env });
    expect(error.code).toBe(KernelErrorCodes.pluginLoad);
    expect(error.message).toBe(`plugin "herald-sink-cjs": ${join(dir, 'node_modules', 'herald-sink-cjs')} does not export "." to import (no "import" or "default" entry in its "exports", or the file is missing)`);
  });

  it('gives a plugin that brings its own SDK copy Herald’s copy', async () => {
    const { dir, env } = userFolder();
    const pkg = installPluginPackage(dir, { name: 'herald-sink-own-sdk', id: 'own-sdk', sdkVersion: compatible, peerRange: compatible });
    writePackageFile(pkg, 'node_modules/@herald/plugin-sdk/package.json', JSON.stringify({ name: '@herald/plugin-sdk', version: sdkVersion, type: 'module', exports: './index.js' }));
    writePackageFile(pkg, 'node_modules/@herald/plugin-sdk/index.js', "throw new Error('the plugin’s own SDK copy was loaded');\n");
    expect((await loadPlugin('herald-sink-own-sdk', { baseDir: dir, env })).id).toBe('own-sdk');
  });

  it('refuses a plugin built against another SDK major before running it, naming the plugin, its range and Herald’s SDK version', async () => {
    const { dir, env } = userFolder();
    const pkg = installPluginPackage(join(dir, 'plugins'), { name: 'herald-sink-next', id: 'next', sdkVersion: nextMajor, peerRange: nextMajor });
    // Were the module imported, this would be the error.
    writePackageFile(pkg, 'dist/index.js', "throw new Error('the plugin’s code ran');\n");
    const error = await loadError('herald-sink-next', { baseDir: dir, pluginsFolder: 'plugins', env });
    expect(error.code).toBe(KernelErrorCodes.pluginSdkRange);
    expect(error.message).toBe(
      `plugin "herald-sink-next": needs @herald/plugin-sdk ${nextMajor} (peerDependencies of ${join(pkg, 'package.json')}), but this Herald provides ${sdkVersion}`,
    );
  });

  it('refuses a plugin whose defineSink sdkVersion is another major, its package.json saying nothing', async () => {
    const { dir, env } = userFolder();
    installPluginPackage(dir, { name: 'herald-sink-next-manifest', id: 'next-manifest', sdkVersion: nextMajor });
    const error = await loadError('herald-sink-next-manifest', { baseDir: dir, env });
    expect(error.message).toBe(`plugin "next-manifest": needs @herald/plugin-sdk ${nextMajor} (sdkVersion), but this Herald provides ${sdkVersion}`);
  });

  it('names every folder it searched when a plugin is not installed', async () => {
    const { dir, image, env } = userFolder();
    mkdirSync(join(dir, 'node_modules'));
    const error = await loadError('herald-sink-missing', { baseDir: dir, pluginsFolder: 'plugins', env });
    expect(error.code).toBe(KernelErrorCodes.pluginNotFound);
    const lines = error.message.split('\n').map((l) => l.trim());
    expect(lines.slice(0, 4)).toEqual([
      'plugin "herald-sink-missing": no package "herald-sink-missing" in any plugin folder; searched, in order:',
      `${join(dir, 'plugins', 'node_modules')} (pluginsFolder in herald.yaml, missing)`,
      `${join(dir, 'node_modules')} (next to herald.yaml)`,
      `${join(image, 'node_modules')} (HERALD_PLUGINS_PATH, missing)`,
    ]);
    expect(lines).toContain(`${join(repo, 'node_modules')} (Herald's own packages)`);
    expect(error.message).not.toContain('plugin-loader');
  });

  it('names the package.json it cannot read', async () => {
    const { dir, env } = userFolder();
    writePackageFile(join(dir, 'node_modules', 'herald-sink-broken'), 'package.json', '{ "name": ');
    const error = await loadError('herald-sink-broken', { baseDir: dir, env });
    expect(error.code).toBe(KernelErrorCodes.pluginLoad);
    expect(error.message).toContain(`plugin "herald-sink-broken": cannot read ${join(dir, 'node_modules', 'herald-sink-broken', 'package.json')}: `);
  });

  it('searches /plugins when HERALD_PLUGINS_PATH is not set', async () => {
    const error = await loadError('herald-sink-missing', { baseDir: fixtures, env: {} });
    expect(error.message).toContain('\n    /plugins/node_modules (HERALD_PLUGINS_PATH');
  });
});
