// Builds Herald's packages to JavaScript (each package's dist/) for production and for publishing.
// Usage: node scripts/build.ts [--clean] [package dir]...   (every package when none is named; a package's
// build also builds the packages it depends on). Building core/cli (or everything) also bundles the herald
// command into core/cli/dist/bundle/ (scripts/bundle-cli.ts), which the image runs.
// Development, tests and scripts/dev run the TypeScript sources and never need this (see the `herald-source`
// export condition in docs/guides/write-a-plugin.md and the build section of docs/guides/testing.md).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleCli } from './bundle-cli.ts';

const root = join(import.meta.dirname, '..');
const groups = ['core', 'plugins', 'sources', 'sinks'];
const packages = groups.flatMap((g) => readdirSync(join(root, g)).map((d) => join(root, g, d))).filter((d) => existsSync(join(d, 'tsconfig.build.json')));
const named = process.argv.slice(2).filter((a) => a !== '--clean').map((d) => resolve(d));
for (const dir of named) {
  if (!packages.includes(dir)) {
    process.stderr.write(`${dir} is not a package with a tsconfig.build.json\n`);
    process.exit(2);
  }
}

if (process.argv.includes('--clean')) for (const dir of packages) rmSync(join(dir, 'dist'), { recursive: true, force: true });

const started = Date.now();
const projects = named.length ? named.map((d) => join(d, 'tsconfig.build.json')) : [join(root, 'tsconfig.build.json')];
const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-b', ...projects], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// tsc keeps `./x.ts` in declaration files even with rewriteRelativeImportExtensions; a plugin author's tsc
// (without allowImportingTsExtensions) and other .d.ts readers expect the `.js` the JavaScript imports.
const tsSpecifier = /((?:from\s+|import\s*\(\s*)['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;
for (const dir of packages) {
  for (const file of walk(join(dir, 'dist'))) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(tsSpecifier, '$1$2.js$3');
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}
// The herald command the image runs: core/cli/dist/bundle/ (scripts/bundle-cli.ts), rebuilt with core/cli.
const cli = join(root, 'core/cli');
const bundled = named.length === 0 || named.includes(cli) ? await bundleCli() : undefined;
process.stdout.write(`built ${named.length || packages.length} package(s) and their dependencies${bundled ? `, and bundled the herald command (${bundled.files} files)` : ''} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
