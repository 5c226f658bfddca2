import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlugin } from './create-plugin.ts';
import { CreatePluginError } from './errors.ts';
import { packageNameProblems, pluginIdFor } from './package-name.ts';

const scratch = mkdtempSync(join(tmpdir(), 'create-plugin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const root = join(import.meta.dirname, '../../..');
const read = (...path: string[]) => readFileSync(join(...path), 'utf8');

describe('createPlugin', () => {
  it('writes a sink package named after the package, with the SDK as a peer and the kit for its tests', async () => {
    const created = await createPlugin({ name: '@acme/herald-sink-pager', kind: 'sink', cwd: scratch });
    expect(created).toMatchObject({ directory: join(scratch, 'herald-sink-pager'), id: 'pager', kind: 'sink' });
    expect(created.files).toEqual(['.gitignore', 'README.md', 'package.json', 'src/index.ts', 'test/fake-endpoint.ts', 'test/sink.test.ts', 'tsconfig.json']);
    const manifest = JSON.parse(read(created.directory, 'package.json'));
    expect(manifest).toMatchObject({
      name: '@acme/herald-sink-pager',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      scripts: { build: 'tsc -p .', test: 'vitest run' },
      peerDependencies: { '@herald/plugin-sdk': '^1.0.0' },
      devDependencies: { '@herald/plugin-sdk': '^1.0.0', '@herald/plugin-testing': '^1.0.0' },
    });
    const sink = read(created.directory, 'src/index.ts');
    expect(sink).toContain("id: 'pager'");
    expect(sink).toContain("serviceTypes: ['pager']");
    expect(sink).toMatch(/serviceConfigSchema: z\.strictObject/);
    expect(sink).toMatch(/templateSchema: z\.strictObject/);
    expect(read(created.directory, 'test/sink.test.ts')).toContain('runSinkConformance');
    expect(read(created.directory, 'README.md')).toContain('npm install --prefix ./plugins ./acme-herald-sink-pager-0.1.0.tgz');
    const all = created.files.map((f) => read(created.directory, f)).join('\n');
    expect(all.match(/__[A-Z_]+__/g)).toBeNull();
  });

  it('writes a source that reads a JSON file, tested with the source conformance kit', async () => {
    const created = await createPlugin({ name: 'herald-source-inventory', kind: 'source', cwd: scratch, directory: 'sources/inv' });
    expect(created.directory).toBe(join(scratch, 'sources/inv'));
    expect(created.files).toContain('test/objects.json');
    expect(read(created.directory, 'src/index.ts')).toContain('defineSource');
    expect(read(created.directory, 'test/source.test.ts')).toContain('runSourceConformance');
  });

  it('points the devDependencies of the SDK and the kit at the specs given, leaving the peer range alone', async () => {
    const created = await createPlugin({ name: 'tarball-sink', kind: 'sink', cwd: scratch, sdk: 'file:/tmp/sdk.tgz', testing: 'file:/tmp/kit.tgz' });
    expect(JSON.parse(read(created.directory, 'package.json'))).toMatchObject({
      peerDependencies: { '@herald/plugin-sdk': '^1.0.0' },
      devDependencies: { '@herald/plugin-sdk': 'file:/tmp/sdk.tgz', '@herald/plugin-testing': 'file:/tmp/kit.tgz' },
    });
  });

  it('refuses a folder that is not empty, naming it, and writes nothing', async () => {
    const folder = join(scratch, 'taken');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    const error = await createPlugin({ name: 'taken', kind: 'sink', cwd: scratch }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CreatePluginError);
    expect(error).toMatchObject({ code: 'HERALD_ERR_CREATE_PLUGIN_FOLDER', message: expect.stringContaining(`${folder} is not empty (notes.txt)`) });
    expect(existsSync(join(folder, 'package.json'))).toBe(false);
  });

  it('takes an empty folder', async () => {
    mkdirSync(join(scratch, 'empty'));
    await expect(createPlugin({ name: 'empty', kind: 'source', cwd: scratch })).resolves.toMatchObject({ id: 'empty' });
  });

  it('refuses an unknown kind and an invalid name before writing anything', async () => {
    await expect(createPlugin({ name: 'x-plugin', kind: 'filter' as never, cwd: scratch })).rejects.toMatchObject({ code: 'HERALD_ERR_CREATE_PLUGIN_KIND', message: '--kind must be sink or source, not "filter"' });
    await expect(createPlugin({ name: 'My Sink', kind: 'sink', cwd: scratch })).rejects.toMatchObject({ code: 'HERALD_ERR_CREATE_PLUGIN_NAME', message: expect.stringContaining('"My Sink" is not a valid npm package name: it has capital letters') });
    expect(existsSync(join(scratch, 'x-plugin'))).toBe(false);
  });

  it('pins the tools of a new package to the versions Herald is tested with', () => {
    const workspace = JSON.parse(read(root, 'package.json')).devDependencies;
    for (const kind of ['sink', 'source']) {
      const template = JSON.parse(read(import.meta.dirname, '../templates', kind, 'package.json.tmpl')).devDependencies;
      for (const tool of ['typescript', 'vitest', '@types/node']) expect(template[tool], `${kind}: ${tool}`).toBe(workspace[tool]);
    }
  });
});

describe('package names', () => {
  it.each(['my-sink', 'herald-sink-file', '@acme/herald-sink-pager', 'a.b_c-d', 'x'.repeat(214)])('takes %s', (name) => {
    expect(packageNameProblems(name)).toEqual([]);
  });

  it.each([
    ['', 'it is empty'],
    ['.hidden', 'it starts with a dot or an underscore'],
    ['_private', 'it starts with a dot or an underscore'],
    ['MySink', 'it has capital letters'],
    ['my sink', '"my sink" has characters that are not URL-safe (letters, digits, - . _ only)'],
    ['sink!', "it has one of the characters ~'!()*"],
    ['node_modules', 'it is a name npm reserves'],
    ['http', 'it is the name of a Node.js built-in module'],
    ['@acme', 'a scoped name is @scope/name'],
    ['@acme/a/b', 'a scoped name is @scope/name'],
    [' padded', 'it has leading or trailing spaces'],
    ['x'.repeat(215), 'it is longer than 214 characters'],
  ])('refuses %j: %s', (name, problem) => {
    expect(packageNameProblems(name)).toContain(problem);
  });

  it.each([
    ['my-sink', 'my-sink'],
    ['@acme/herald-sink-pager', 'pager'],
    ['herald-source-inventory', 'inventory'],
    ['herald-sink-', 'herald-sink'],
    ['a.b_c', 'a-b-c'],
  ])('%s has the plugin id %s', (name, id) => {
    expect(pluginIdFor(name)).toBe(id);
  });
});
