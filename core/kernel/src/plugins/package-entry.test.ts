import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageEntry, parsePackageSpecifier, type PackageManifest } from './package-entry.ts';

const pkg = mkdtempSync(join(tmpdir(), 'herald-package-entry-'));
for (const file of ['index.js', 'main.js', 'dist/index.mjs', 'dist/node.js', 'dist/sinks/pager.js', 'dist/sinks/internal/x.js', 'lib/extra.js']) {
  mkdirSync(dirname(join(pkg, file)), { recursive: true });
  writeFileSync(join(pkg, file), '');
}

describe('reading a package as `import` does', () => {
  it.each<[string, PackageManifest, string, string | undefined]>([
    ['exports as a string', { exports: './dist/index.mjs' }, '.', 'dist/index.mjs'],
    ['only an import condition', { exports: { import: './dist/index.mjs' } }, '.', 'dist/index.mjs'],
    ['conditions in the package’s order', { exports: { '.': { node: './dist/node.js', import: './dist/index.mjs' } } }, '.', 'dist/node.js'],
    ['types and require skipped', { exports: { '.': { types: './index.d.ts', require: './main.js', default: './dist/index.mjs' } } }, '.', 'dist/index.mjs'],
    ['only require', { exports: { '.': { require: './main.js' } } }, '.', undefined],
    ['a fallback array', { exports: { '.': [{ require: './main.js' }, './dist/index.mjs'] } }, '.', 'dist/index.mjs'],
    ['a subpath', { exports: { '.': './index.js', './extra': './lib/extra.js' } }, './extra', 'lib/extra.js'],
    ['a subpath not exported', { exports: { '.': './index.js' } }, './extra', undefined],
    ['the longest pattern', { exports: { './sinks/*': './dist/sinks/*.js', './sinks/internal/*': null } }, './sinks/pager', 'dist/sinks/pager.js'],
    ['a pattern excluded by null', { exports: { './sinks/*': './dist/sinks/*.js', './sinks/internal/*': null } }, './sinks/internal/x', undefined],
    ['a target outside the package', { exports: { '.': './../escape.js' } }, '.', undefined],
    ['a missing file', { exports: { '.': './dist/gone.js' } }, '.', undefined],
    ['main without exports', { main: 'main.js' }, '.', 'main.js'],
    ['index.js without main', {}, '.', 'index.js'],
  ])('%s', (_, manifest, subpath, expected) => {
    expect(packageEntry(pkg, manifest, subpath)).toBe(expected === undefined ? undefined : join(pkg, expected));
  });

  it.each([
    ['herald-sink-file', { packageName: 'herald-sink-file', subpath: '.' }],
    ['@acme/herald/sinks/pager', { packageName: '@acme/herald', subpath: './sinks/pager' }],
    ['@acme', undefined],
    ['acme/../../etc', undefined],
    ['Not A Name', undefined],
  ])('parses %s', (specifier, expected) => {
    expect(parsePackageSpecifier(specifier)).toEqual(expected);
  });
});
