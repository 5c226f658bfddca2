import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Production runs Herald from its compiled output (`node core/cli/dist/main.js`, the `herald` bin), not
// from the TypeScript sources tests and scripts/dev use. Type stripping is off in these runs, so loading a
// single .ts file (Herald's or a bundled plugin's) fails them.
const root = join(import.meta.dirname, '../../..');
const main = join(root, 'core/cli/dist/main.js');
const dir = mkdtempSync(join(tmpdir(), 'herald-compiled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.ts')], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  expect(build.status, build.stdout + build.stderr).toBe(0);
}, 180_000);

function herald(...args: string[]) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, ['--no-experimental-strip-types', main, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
}

describe('the compiled herald command, run from a folder outside the repository', () => {
  it('prints its help, and its version read from its package.json', () => {
    const run = herald('--help');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: herald/);
    expect(herald('version')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^herald \d+\.\d+\.\d+ \(plugin contract 1, plugin SDK 1\.0\.0, node v24\./) });
  });

  it('validates a notification ConfigMap, and checks a herald.yaml whose bundled sink it loads by name', () => {
    writeFileSync(
      join(dir, 'cm.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: argocd-notifications-cm }',
        'data:',
        '  service.webhook.hook: "url: http://receiver.example/hook"',
        '  template.app-synced: "message: Application {{.app.metadata.name}} is synced"',
        '  trigger.on-synced: |',
        "    - when: app.status.sync.status == 'Synced'",
        '      send: [app-synced]',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'herald.yaml'), "notifications:\n  files: { configMap: ./cm.yaml }\nplugins:\n  - name: '@herald/sink-webhook'\n");
    expect(herald('config', 'validate', 'cm.yaml')).toMatchObject({ status: 0, stderr: '', stdout: 'cm.yaml: valid (1 trigger(s), 1 template(s), 1 service(s), 0 subscription(s))\n' });
    const check = herald('config', 'check', '-c', 'herald.yaml');
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('herald.yaml: valid (1 plugin(s): webhook;');
    expect(check.status).toBe(0);
  });

  it('fails, as it must, when pointed at the TypeScript sources: the runs above really use compiled code', () => {
    const run = spawnSync(process.execPath, ['--no-experimental-strip-types', join(root, 'core/cli/src/main.ts'), '--help'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ERR_UNKNOWN_FILE_EXTENSION');
  });
});
