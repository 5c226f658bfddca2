import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Finds a tool that `scripts/dev` installed. The dev script exports its path (e.g. HERALD_NATS_SERVER);
 * without it, the newest build in the cache is used, then PATH.
 */
export function toolPath(envVar: string, cacheSubdir: string, binary: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar}=${fromEnv} does not exist`);
    return fromEnv;
  }
  const dir = join(process.env.HERALD_CACHE ?? join(homedir(), '.cache', 'herald'), cacheSubdir);
  if (existsSync(dir)) {
    const versions = readdirSync(dir).sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    for (const v of versions) {
      const candidate = join(dir, v, binary);
      if (existsSync(candidate)) return candidate;
    }
  }
  for (const p of (process.env.PATH ?? '').split(':')) {
    const candidate = join(p, binary);
    if (p && existsSync(candidate)) return candidate;
  }
  throw new Error(`${binary} not found: run the tests through 'scripts/dev test', which installs it (or set ${envVar})`);
}
