// Bundles the compiled `herald` command (core/cli/dist/main.js and the Herald packages and libraries it imports)
// into core/cli/dist/bundle/, the file the image runs. Loading ~920 module files one by one is most of what a
// start spends before it connects; the bundle is about 30 (docs/benchmarks.md, "Thirteenth wave").
// Called by scripts/build.ts after tsc; `node scripts/bundle-cli.ts` alone rebundles an existing dist.
//
// What stays outside the bundle and loads from node_modules, so that there is one copy of it in the process:
// - every package a plugin imports: Herald's own plugins' dependencies and theirs in turn (read from the
//   package.json files), and the plugin SDK with its zod. A plugin's `import '@herald/plugin-sdk'` must meet the
//   very objects the kernel checks (brands, schemas, errors), and a built-in plugin such as the Kubernetes source
//   must not load a second @herald/core-kube or yaml beside the bundle's;
// - OpenTelemetry: the optional exporters are loaded from node_modules at run time (core/telemetry) and hand
//   their objects to the SDK, so the SDK is the one they were installed with;
// - reflect-metadata and tsyringe: the decorators' metadata must be installed before tsyringe runs, which the
//   entry's first import guarantees (below); bundled, the order of the two is the bundler's.
import { readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { builtinModules } from 'node:module';
import { build } from 'rolldown';
import { parsePackageSpecifier } from '../core/kernel/src/plugins/package-entry.ts';

const root = join(import.meta.dirname, '..');
const bundleDir = join(root, 'core/cli/dist/bundle');

/**
 * The bare package names that stay outside the bundle (see the top of this file): every package a plugin under
 * plugins/, sources/ or sinks/ depends on, and what those depend on in turn (found in node_modules as Node would
 * find them), so that the bundle never holds a copy of something a plugin loads from node_modules.
 */
function externalPackages(): Set<string> {
  const names = new Set<string>();
  const visit = (name: string, from: string): void => {
    if (names.has(name)) return;
    names.add(name);
    const dir = packageDir(name, from);
    if (dir !== undefined) for (const dep of dependenciesOf(dir)) visit(dep, dir);
  };
  for (const name of ['@herald/plugin-sdk', 'reflect-metadata', 'tsyringe']) visit(name, join(root, 'core/cli'));
  for (const group of ['plugins', 'sources', 'sinks']) {
    for (const entry of readdirSync(join(root, group))) {
      const dir = join(root, group, entry);
      if (!existsSync(join(dir, 'package.json'))) continue;
      names.add((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name);
      for (const dep of dependenciesOf(dir)) visit(dep, dir);
    }
  }
  return names;
}

function dependenciesOf(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  return Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
}

/** The folder of package `name` as Node resolves it from `from`: the nearest node_modules holding it. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function bundleCli(): Promise<{ files: number }> {
  const external = externalPackages();
  const builtins = new Set(builtinModules);
  rmSync(bundleDir, { recursive: true, force: true });
  const result = await build({
    input: join(root, 'core/cli/dist/main.js'),
    platform: 'node',
    logLevel: 'warn',
    external: (id) => {
      if (id.startsWith('node:') || builtins.has(id)) return true;
      // Relative and absolute paths are no package (undefined): Herald's own files and the bundler's, bundled.
      const name = parsePackageSpecifier(id)?.packageName;
      return name !== undefined && (external.has(name) || name.startsWith('@opentelemetry/'));
    },
    output: {
      dir: bundleDir,
      format: 'esm',
      minify: true,
      // The entry's shebang is kept by the bundler; reflect-metadata goes before every other import.
      banner: (chunk) => (chunk.isEntry ? "import 'reflect-metadata';" : ''),
    },
  });
  return { files: result.output.length };
}

if (import.meta.main) {
  const started = Date.now();
  const { files } = await bundleCli();
  process.stdout.write(`bundled the herald command into ${files} file(s) in core/cli/dist/bundle/ in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
