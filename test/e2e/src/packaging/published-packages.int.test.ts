import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A plugin author's view of @herald/plugin-sdk and @herald/plugin-testing: the packed tarballs, installed
// into a project outside the workspace, compiled with a plain tsc and run with a plain node. Each check
// names the blocker of issue 15 it keeps from coming back.
const root = join(import.meta.dirname, '../../../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const scratch = mkdtempSync(join(tmpdir(), 'herald-author-'));
const author = join(scratch, 'tiny-sink');
const packed: Record<string, { filename: string; files: string[]; size: number; unpackedSize: number }> = {};
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no --conditions=herald-source, no type-stripping flags: what an author has
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
};

beforeAll(() => {
  const build = run(process.execPath, [join(root, 'scripts/build.ts'), 'plugins/sdk', 'plugins/testing'], root);
  expect(build.status, build.stderr).toBe(0);
  for (const pkg of ['sdk', 'testing']) {
    // Built above: `prepack` (the build) would write into npm's JSON output.
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], join(root, 'plugins', pkg));
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[]; size: number; unpackedSize: number }];
    packed[pkg] = { ...info, files: info.files.map((f) => f.path) };
  }
  mkdirSync(join(author, 'src'), { recursive: true });
  writeFileSync(join(author, 'package.json'), JSON.stringify({ name: 'tiny-sink', version: '0.0.0', private: true, type: 'module' }));
  // Defaults but for what an ESM package on Node needs; no Herald-specific flags.
  writeFileSync(join(author, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, rootDir: 'src', outDir: 'dist' } }));
  cpSync(join(import.meta.dirname, '__fixtures__/author'), join(author, 'src'), { recursive: true });
  const tarballs = Object.values(packed).map((p) => join(scratch, p.filename));
  const install = run('npm', ['install', ...tarballs, '--no-audit', '--no-fund', '--prefer-offline'], author);
  expect(install.status, install.stderr).toBe(0);
}, 180_000);

describe('the packed @herald/plugin-sdk and @herald/plugin-testing, as a plugin author gets them', () => {
  it.each(['sdk', 'testing'])('blocker 1: the %s tarball holds compiled JavaScript, .d.ts, README and LICENSE, and no sources, tests or tsconfig', (pkg) => {
    const { files } = packed[pkg]!;
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((f) => !/^dist\/.*\.(js|d\.ts)$/.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
    expect(files.filter((f) => /(\.test\.|__fixtures__|tsconfig|tsbuildinfo)/.test(f))).toEqual([]);
  });

  it.each(['plugin-sdk', 'plugin-testing'])('blocker 1: @herald/%s is published as 1.1.0 with an exports map of types, import and default', (name) => {
    const manifest = JSON.parse(readFileSync(join(author, 'node_modules/@herald', name, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ version: '1.1.0', type: 'module', license: 'Apache-2.0', engines: { node: expect.any(String) } });
    expect(manifest.private).toBeUndefined();
    expect(manifest.exports['.']).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
    if (name === 'plugin-testing') expect(manifest.peerDependencies).toMatchObject({ '@herald/plugin-sdk': '^1.1.0' });
  });

  it('blocker 2: the declarations import .js files, never .ts, and a plain tsc compiles a sink against them', () => {
    const dts = ['plugin-sdk', 'plugin-testing'].flatMap((name) => {
      const dist = join(author, 'node_modules/@herald', name, 'dist');
      return readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts')).map((f) => readFileSync(join(dist, f), 'utf8'));
    });
    expect(dts.filter((text) => /from ['"]\.{1,2}\/[^'"]*\.ts['"]/.test(text))).toEqual([]);
    const compile = run(process.execPath, [tsc, '-p', '.'], author);
    expect(compile.stdout + compile.stderr).toBe('');
    expect(compile.status).toBe(0);
  });

  it('blockers 3 and 4: the compiled sink, tested with the kit’s fakes and source conformance, runs under plain node', () => {
    const check = run(process.execPath, ['dist/check.js'], author);
    expect(check.stderr).toBe('');
    expect(JSON.parse(check.stdout)).toEqual({ sdk: '1.1.0', plugin: true, delivered: 1, sourceChecks: 9 });
  });
});
