import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every package Herald runs from builds to dist/ (tsc -b tsconfig.build.json) and resolves to it, while the
// `herald-source` condition keeps development on src/. A new package, export or dependency that misses one
// of the pieces would work in tests and break only in the compiled build: these checks name it.
const root = join(import.meta.dirname, '../../../..');
const packages = ['core', 'plugins', 'sources', 'sinks'].flatMap((group) =>
  readdirSync(join(root, group))
    .filter((d) => existsSync(join(root, group, d, 'package.json')))
    .map((d) => `${group}/${d}`),
);
const json = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const manifests = new Map(packages.map((dir) => [json(`${dir}/package.json`).name as string, dir]));

describe.each(packages)('%s', (dir) => {
  const pkg = json(`${dir}/package.json`);

  it('maps each export to its source for development and to its compiled file otherwise', () => {
    for (const [subpath, target] of Object.entries<Record<string, string>>(pkg.exports)) {
      const src = target['herald-source'];
      expect(src, `${subpath}: no herald-source condition`).toMatch(/^\.\/src\/.*\.ts$/);
      expect(existsSync(join(root, dir, src!)), `${subpath}: ${src} does not exist`).toBe(true);
      const js = src!.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js');
      expect(target).toEqual({ 'herald-source': src, types: js.replace(/\.js$/, '.d.ts'), import: js, default: js });
      expect(Object.keys(target)[0], 'herald-source must come first: Node takes the first condition that matches').toBe('herald-source');
    }
    for (const bin of Object.values<string>(pkg.bin ?? {})) expect(bin).toMatch(/^\.\/dist\/.*\.js$/);
  });

  it('builds with tsconfig.build.json, referencing the workspace packages it depends on', () => {
    const build = json(`${dir}/tsconfig.build.json`);
    expect(build).toMatchObject({ extends: '../../tsconfig.build.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist' } });
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => manifests.has(d) && d !== pkg.name);
    const refs = (build.references ?? []).map((r: { path: string }) => r.path).sort();
    expect(refs).toEqual(deps.map((d) => `../../${manifests.get(d)}/tsconfig.build.json`).sort());
    expect(json('tsconfig.build.json').references).toContainEqual({ path: `./${dir}/tsconfig.build.json` });
  });
});
