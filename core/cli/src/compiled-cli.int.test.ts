import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Production runs Herald from its compiled output, not from the TypeScript sources tests and scripts/dev use:
// the image runs the bundle (core/cli/dist/bundle/main.js, scripts/bundle-cli.ts); a checkout built with
// `npm run build` can also run the compiled packages unbundled (core/cli/dist/main.js, the `herald` bin). Type
// stripping is off in these runs, so loading a single .ts file (Herald's or a built-in plugin's) fails them.
const root = join(import.meta.dirname, '../../..');
const mains = { compiled: join(root, 'core/cli/dist/main.js'), bundled: join(root, 'core/cli/dist/bundle/main.js') };
const dir = mkdtempSync(join(tmpdir(), 'herald-compiled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.ts')], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  expect(build.status, build.stdout + build.stderr).toBe(0);
}, 180_000);

describe.each(Object.entries(mains))('the %s herald command, run from a folder outside the repository', (build, main) => {
  const work = join(dir, build);
  beforeAll(() => mkdirSync(work));
  function herald(...args: string[]) {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    return spawnSync(process.execPath, ['--no-experimental-strip-types', main, ...args], { cwd: work, env, encoding: 'utf8', timeout: 30_000 });
  }

  it('prints its help, and its version read from its package.json', () => {
    const run = herald('--help');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: herald/);
    expect(herald('version')).toMatchObject({ status: 0, stdout: expect.stringMatching(new RegExp(`^herald \\d+\\.\\d+\\.\\d+ \\(plugin contract 1, plugin SDK 1\\.1\\.0, node ${process.version.replaceAll('.', '\\.')}\\)\n$`)) });
  });

  it('validates a notification ConfigMap, and checks a herald.yaml whose built-in sink and source it loads by name', () => {
    writeFileSync(
      join(work, 'cm.yaml'),
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
    writeFileSync(join(work, 'herald.yaml'), "notifications:\n  files: { configMap: ./cm.yaml }\nplugins:\n  - name: '@herald/sink-webhook'\n  - name: '@herald/source-kubernetes'\n    options: { resources: [{ version: v1, resource: pods, kind: Pod }] }\n");
    expect(herald('config', 'validate', 'cm.yaml')).toMatchObject({ status: 0, stderr: '', stdout: 'cm.yaml: valid (1 trigger(s), 1 template(s), 1 service(s), 0 subscription(s))\n' });
    const check = herald('config', 'check', '-c', 'herald.yaml');
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('herald.yaml: valid (2 plugin(s): webhook, kubernetes;');
    expect(check.status).toBe(0);
  });

  it('writes a new plugin package from the starter templates, which stay next to the starter', () => {
    const run = herald('plugin', 'new', '--kind', 'sink', 'my-sink');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const file of ['package.json', 'src/index.ts', 'README.md']) expect(existsSync(join(work, 'my-sink', file)), file).toBe(true);
  });
});

it('fails, as it must, when pointed at the TypeScript sources: the runs above really use compiled code', () => {
  const run = spawnSync(process.execPath, ['--no-experimental-strip-types', join(root, 'core/cli/src/main.ts'), '--help'], { cwd: dir, encoding: 'utf8' });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain('ERR_UNKNOWN_FILE_EXTENSION');
});
