import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

// @herald/create-plugin as `npm create @herald/plugin` downloads it: the packed tarball. It is fetched alone
// (no dependencies) and must hold its compiled bin and every template, and nothing of the workspace.
const root = join(import.meta.dirname, '../../../..');
const scratch = mkdtempSync(join(tmpdir(), 'herald-starter-pack-'));
let files: string[];
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });

beforeAll(() => {
  const build = run(process.execPath, [join(root, 'scripts/build.ts'), 'plugins/create-plugin'], root);
  expect(build.status, build.stderr).toBe(0);
  const pack = run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], join(root, 'plugins/create-plugin'));
  expect(pack.status, pack.stderr).toBe(0);
  files = (JSON.parse(pack.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
}, 120_000);

it('the tarball holds the compiled bin and library, the templates of both kinds, README and LICENSE, and no sources or tests', () => {
  expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/main.js', 'dist/index.js', 'dist/index.d.ts', 'templates/sink/src/index.ts.tmpl', 'templates/sink/test/sink.test.ts.tmpl', 'templates/sink/gitignore.tmpl', 'templates/source/src/index.ts.tmpl', 'templates/source/test/source.test.ts.tmpl']));
  expect(files.filter((f) => !/^dist\/.*\.(js|d\.ts)$/.test(f) && !/^templates\/(sink|source)\/.*\.tmpl$/.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
  expect(files.filter((f) => /^dist\/.*(\.test\.|tsbuildinfo)/.test(f))).toEqual([]);
});

it('is published as 1.0.0 with a create-plugin bin that node runs, and no dependencies to fetch', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'plugins/create-plugin/package.json'), 'utf8'));
  expect(manifest).toMatchObject({ name: '@herald/create-plugin', version: '1.0.0', type: 'module', license: 'Apache-2.0', bin: { 'create-plugin': './dist/main.js' }, engines: { node: expect.any(String) } });
  expect(manifest.private).toBeUndefined();
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(readFileSync(join(root, 'plugins/create-plugin/dist/main.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  const help = run(process.execPath, [join(root, 'plugins/create-plugin/dist/main.js'), '--help'], scratch);
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('Usage: npm create @herald/plugin@latest <name> -- [--kind sink|source]');
});
