import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEngineConfigPath } from './engine-config-path.ts';

describe('resolveEngineConfigPath', () => {
  const withFile = mkdtempSync(join(tmpdir(), 'herald-path-'));
  writeFileSync(join(withFile, 'herald.yaml'), 'roles: [sink]\n');
  const empty = mkdtempSync(join(tmpdir(), 'herald-path-'));

  it('takes -c first, then $HERALD_CONFIG, then ./herald.yaml', () => {
    expect(resolveEngineConfigPath({ explicit: '/etc/h.yaml', env: { HERALD_CONFIG: '/env.yaml' }, cwd: withFile })).toBe('/etc/h.yaml');
    expect(resolveEngineConfigPath({ env: { HERALD_CONFIG: '/env.yaml' }, cwd: withFile })).toBe('/env.yaml');
    expect(resolveEngineConfigPath({ env: {}, cwd: withFile })).toBe(join(withFile, 'herald.yaml'));
  });

  it('is none when there is no herald.yaml in the folder', () => {
    expect(resolveEngineConfigPath({ env: {}, cwd: empty })).toBeUndefined();
  });
});
