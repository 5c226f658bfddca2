import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The public surface of the published packages is reviewed through reports committed next to them
// (plugins/*/api/*.api.md); a change to the surface must come with its report.
const root = join(import.meta.dirname, '../../..');
const script = join(root, 'scripts/api-report.ts');
const scratch = mkdtempSync(join(tmpdir(), 'herald-api-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const check = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('API reports of @herald/plugin-sdk and @herald/plugin-testing', () => {
  it('match the public API of the compiled packages', () => {
    const run = check();
    expect(run.stderr).not.toContain('changed without its report');
    expect(run.status).toBe(0);
  });

  it('fail, naming the package, the line and the command to update them, when the surface changed', () => {
    // A report in which the SDK still exports a function it no longer has.
    const reports = join(scratch, 'reports');
    cpSync(join(root, 'plugins/sdk/api'), reports, { recursive: true });
    const file = join(reports, 'plugin-sdk.api.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('```ts\n', '```ts\n\n// @public\nexport function removedHelper(): void;\n'));
    const run = check('--reports', reports, '--package', 'plugins/sdk');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('@herald/plugin-sdk:');
    expect(run.stderr).toContain('- export function removedHelper(): void;');
    expect(run.stderr).toContain('npm run api:update');
  });
});
