import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/**
 * The conditions Node's ESM loader matches when it `import`s a package, with those the process was started
 * with (`--conditions`): a package whose `exports` has only an `import` entry is found, one with only
 * `require` is not (Herald imports plugins, never requires them).
 */
const IMPORT_CONDITIONS = new Set(['node', 'import', 'module-sync', 'default', ...userConditions([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)])]);

function userConditions(args: readonly string[]): string[] {
  return args.flatMap((arg, i) => {
    const inline = /^--conditions=(.+)$/.exec(arg)?.[1];
    if (inline) return [inline];
    return (arg === '--conditions' || arg === '-C') && args[i + 1] ? [args[i + 1]!] : [];
  });
}

export interface PackageSpecifier {
  /** `herald-sink-file`, `@acme/herald-pager`. */
  packageName: string;
  /** `.` or `./ticker`, the subpath looked up in `exports`. */
  subpath: string;
}

/** Splits `@acme/pager/sink` into package and subpath; undefined when it cannot be an npm package name. */
export function parsePackageSpecifier(specifier: string): PackageSpecifier | undefined {
  const parts = specifier.split('/');
  const nameParts = specifier.startsWith('@') ? 2 : 1;
  if (parts.length < nameParts) return undefined;
  const packageName = parts.slice(0, nameParts).join('/');
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(packageName)) return undefined;
  const rest = parts.slice(nameParts);
  if (rest.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return { packageName, subpath: rest.length ? `./${rest.join('/')}` : '.' };
}

export interface PackageManifest {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  peerDependencies?: Record<string, string>;
}

export function readManifest(packageDir: string): PackageManifest {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageManifest;
}

/**
 * The file `import '<package><subpath>'` loads, read from the package's `exports` (with the import
 * conditions, subpath patterns included) or, without `exports`, its `main`. Undefined when the package does
 * not export that subpath to importers. Node's own resolver cannot be asked to resolve from a folder Herald
 * does not live in without an experimental flag, hence this reading of the documented format.
 */
export function packageEntry(packageDir: string, manifest: PackageManifest, subpath: string): string | undefined {
  let target: string | undefined;
  if (manifest.exports !== undefined && manifest.exports !== null) {
    target = exportsTarget(manifest.exports, subpath);
  } else if (subpath === '.') {
    target = `./${manifest.main ?? 'index.js'}`;
  } else {
    target = subpath;
  }
  if (target === undefined || !target.startsWith('./')) return undefined;
  const file = resolve(packageDir, target);
  // `exports` may only point inside the package.
  if (!file.startsWith(packageDir + sep) || !existsSync(file)) return undefined;
  return file;
}

function exportsTarget(exportsField: unknown, subpath: string): string | undefined {
  const isSubpathMap = typeof exportsField === 'object' && !Array.isArray(exportsField) && Object.keys(exportsField as object).some((k) => k.startsWith('.'));
  const map = (isSubpathMap ? exportsField : { '.': exportsField }) as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return conditionalTarget(map[subpath], undefined);
  // `./features/*`: the longest matching prefix wins, as in Node.
  let best: { key: string; prefix: string; match: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0 || key.indexOf('*', star + 1) >= 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.length >= key.length && subpath.startsWith(prefix) && subpath.endsWith(suffix) && (!best || prefix.length > best.prefix.length)) {
      best = { key, prefix, match: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best ? conditionalTarget(map[best.key], best.match) : undefined;
}

function conditionalTarget(target: unknown, match: string | undefined): string | undefined {
  if (typeof target === 'string') return match === undefined ? target : target.replaceAll('*', match);
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const found = conditionalTarget(candidate, match);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    // The first key, in the package's order, that is one of the import conditions.
    for (const [condition, value] of Object.entries(target)) {
      if (!IMPORT_CONDITIONS.has(condition)) continue;
      const found = conditionalTarget(value, match);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
