import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, startNats, testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { applyHeraldRbac, createConfigMap, seedConfigMap } from '../support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from '../support/herald-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Issue 15's proof, as a new plugin author lives it with nothing but the registry: the registry is played
// by the packed tarballs of @herald/plugin-sdk, @herald/plugin-testing and @herald/create-plugin. A sink
// and a source are generated outside the workspace with the packed starter (what `npm create
// @herald/plugin` runs), tested with their own `npm test`, packed, installed into a plugins folder next to
// a herald.yaml, and watched delivering the reference scenario's notification on a real kube-apiserver and
// nats-server. npm shares one cache and prefers it (`--prefer-offline`), without audit or fund.
const root = join(import.meta.dirname, '../../../..');
const scratch = mkdtempSync(join(tmpdir(), 'herald-starter-'));
const registry = join(scratch, 'registry');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const tarballs: Record<'sdk' | 'testing' | 'create-plugin', string> = { sdk: '', testing: '', 'create-plugin': '' };
const hash = (file: string) => createHash('sha256').update(readFileSync(join(root, file))).digest('hex');
const heraldFiles = ['package.json', 'package-lock.json'];
const timings: string[] = [];

// What the author's shell has: no vitest/npm variables of the run that started this test, no type stripping
// or `herald-source` condition.
const authorEnv = (): NodeJS.ProcessEnv => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_OPTIONS$|VITEST|INIT_CWD$|FORCE_COLOR$)/i.test(k)));
  return { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' };
};
const run = (cmd: string, args: string[], cwd: string) => {
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd, env: authorEnv(), encoding: 'utf8', timeout: 180_000 });
  const output = `${cmd} ${args.join(' ')} (in ${cwd}) exited ${result.status}\n${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  return { stdout: result.stdout, seconds: (Date.now() - started) / 1000 };
};

let cp: ControlPlane;
let nats: NatsServer;
let receiver: WebhookReceiver;
let core: CoreV1Api;
let namespace: string;
let before: string[];
const heralds: HeraldProcess[] = [];

beforeAll(async () => {
  before = heraldFiles.map(hash);
  const servers = Promise.all([startControlPlane(), startNats(), startWebhookReceiver()]);
  // The packages as `npm publish` would upload them (built first: `prepack` would write into npm's output).
  run(process.execPath, [join(root, 'scripts/build.ts'), 'plugins/sdk', 'plugins/testing', 'plugins/create-plugin'], root);
  mkdirSync(registry);
  for (const pkg of Object.keys(tarballs) as (keyof typeof tarballs)[]) {
    const [info] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', registry], join(root, 'plugins', pkg)).stdout) as [{ filename: string }];
    tarballs[pkg] = join(registry, info.filename);
  }
  [cp, nats, receiver] = await servers;
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  namespace = await cp.createNamespace('starter');
  await applyHeraldRbac(cp, namespace);
  const cm = seedConfigMap(namespace, 'herald-notifications-cm', receiver.url);
  // The seed's template, with a message and a block for the generated sink's service type beside the webhook's.
  cm.data!['template.pod-ready'] = `message: |\n  Pod {{.pod.metadata.name}} is ready!\nacme-pager:\n  title: '{{.pod.metadata.name}}'\n${cm.data!['template.pod-ready']}`;
  cm.data!['service.acme-pager'] = `url: ${receiver.url}/acme-pager\n`;
  await createConfigMap(cp, cm);
}, 300_000);
afterAll(async () => {
  await Promise.all(heralds.map((h) => h.kill()));
  await Promise.all([cp?.stop(), nats?.stop(), receiver?.close()]);
  rmSync(scratch, { recursive: true, force: true });
  if (timings.length > 0) process.stdout.write(`\nnpm create → a delivering plugin:\n${timings.join('\n')}\n`);
});

/**
 * From `npm create` to a plugin tarball installed beside a herald.yaml: returns the plugins folder, the
 * seconds each step took, and the output of the generated tests.
 */
function authorAndInstall(name: string, kind: 'sink' | 'source') {
  const started = Date.now();
  const author = join(scratch, 'author');
  mkdirSync(author, { recursive: true });
  const steps: Record<string, number> = {};
  // `npm create @herald/plugin my-sink -- --kind sink` is `npm exec` of the package's bin; the tarballs
  // stand in for the registry's versions of the SDK and the kit.
  const create = run('npm', ['exec', '--yes', `--package=${tarballs['create-plugin']}`, '--', 'create-plugin', name, '--kind', kind, '--sdk', `file:${tarballs.sdk}`, '--testing', `file:${tarballs.testing}`], author);
  steps.create = create.seconds;
  expect(create.stdout).toContain(`Created ${name}, a Herald ${kind} plugin`);
  const pkg = join(author, name);
  steps['npm install'] = run('npm', ['install'], pkg).seconds;
  const test = run('npm', ['test'], pkg);
  steps['npm test'] = test.seconds;
  expect(test.stdout).toMatch(/Tests\s+\S*2 passed/);
  const pack = run('npm', ['pack', '--json'], pkg);
  steps['npm pack'] = pack.seconds;
  const [{ filename }] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ filename: string }];
  // Beside herald.yaml, never into Herald: the SDK tarball is the registry's answer to the plugin's peerDependency.
  const deployment = join(scratch, `deployment-${kind}`);
  mkdirSync(join(deployment, 'plugins'), { recursive: true });
  steps['install into plugins'] = run('npm', ['install', '--prefix', join(deployment, 'plugins'), join(pkg, filename), tarballs.sdk], deployment).seconds;
  expect(existsSync(join(deployment, 'plugins/node_modules', name, 'dist/index.js'))).toBe(true);
  expect(existsSync(join(root, 'node_modules', name))).toBe(false);
  expect(heraldFiles.map(hash), "Herald's package.json and package-lock.json").toEqual(before);
  return { plugins: join(deployment, 'plugins'), deployment, steps, started };
}

const record = (kind: string, steps: Record<string, number>, startedAt: number, heraldSeconds: number) => {
  const total = (Date.now() - startedAt) / 1000;
  const parts = Object.entries({ ...steps, 'herald start → delivered': heraldSeconds }).map(([k, v]) => `${k} ${v.toFixed(1)} s`);
  timings.push(`  ${kind}: ${total.toFixed(1)} s (${parts.join(', ')})`);
};

describe('a plugin made with the packed starter, as a new author makes it', () => {
  it('a generated sink passes its own tests, installs beside herald.yaml, and delivers the reference scenario’s notification', async () => {
    const { plugins, steps, started } = authorAndInstall('acme-pager', 'sink');
    const heraldStarted = Date.now();
    const herald = await startHerald(
      {
        nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'starter_sink', streamPrefix: 'STARTER_SINK' },
        notifications: { namespace },
        pluginsFolder: plugins,
        plugins: [
          { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
          { name: '@herald/sink-webhook' },
          { name: 'acme-pager' },
        ],
      },
      { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
    );
    heralds.push(herald);
    const name = 'pager-pod-1';
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.acme-pager': '' } }, spec: { containers: [{ name: 'web', image: 'web' }] } },
    });
    await core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch);

    const [request] = await receiver.waitFor(1, (r) => r.path === '/acme-pager');
    record('sink', steps, started, (Date.now() - heraldStarted) / 1000);
    expect(request).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(request!.body)).toEqual({
      title: name,
      message: `Pod ${name} is ready!\n`,
      trigger: 'on-pod-ready',
      recipient: '',
      object: { kind: 'Pod', namespace, name },
    });
    expect(request!.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]+:\d+$/);
    expect(herald.logs()).not.toContain('"level":50');
  });

  it('a generated source publishes the objects of its JSON file, and Herald delivers their notification through the webhook sink', async () => {
    const { plugins, deployment, steps, started } = authorAndInstall('acme-inventory', 'source');
    const name = 'file-pod-1';
    const file = join(deployment, 'objects.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' } },
          status: { phase: 'Running' },
        },
      ]),
    );
    const heraldStarted = Date.now();
    heralds.push(
      await startHerald(
        {
          nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'starter_source', streamPrefix: 'STARTER_SOURCE' },
          notifications: { namespace },
          pluginsFolder: plugins,
          plugins: [{ name: 'acme-inventory', options: { file } }, { name: '@herald/sink-webhook' }],
        },
        { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
      ),
    );
    const [request] = await receiver.waitFor(1, (r) => r.body === `Pod ${name} is ready!\n`);
    record('source', steps, started, (Date.now() - heraldStarted) / 1000);
    expect(request).toMatchObject({ method: 'GET', path: '/webhook/' });
  });
});
