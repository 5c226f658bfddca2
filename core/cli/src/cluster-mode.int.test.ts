import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '@herald/core-kube';
import { startControlPlane, type ControlPlane } from '@herald/test-harness';
import { herald as runHerald, type CliRun } from './__fixtures__/run-cli.ts';

// `herald trigger run / template notify / config validate` against a real kube-apiserver, as
// `argocd admin notifications` is used: the object, the ConfigMap and the Secret read from the cluster.
const dir = mkdtempSync(join(tmpdir(), 'herald-cluster-cli-'));

/** Runs the CLI in this process (its commands are async: the receiver below answers meanwhile). */
async function herald(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await runHerald(...args);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: records each request, answers with `status`. */
function startReceiver(): Promise<{ url: string; requests: Received[]; status: { code: number }; server: Server }> {
  const requests: Received[] = [];
  const status = { code: 200 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(status.code).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, status, server })));
}

let cp: ControlPlane;
let client: KubeClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let shop: string;
let heraldNs: string;
let engine: string;
const signal = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  [cp, receiver] = await Promise.all([startControlPlane(), startReceiver()]);
  // The CLI loads the Kubernetes client lazily; so does its test.
  const { createKubeClient } = await import('@herald/core-kube');
  client = createKubeClient(cp.adminKubeConfig);
  shop = await cp.createNamespace('shop');
  heraldNs = await cp.createNamespace('herald');
  await client.create(
    `/api/v1/namespaces/${heraldNs}/configmaps`,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'herald-notifications-cm' },
      data: {
        'service.webhook.receiver': `url: ${receiver.url}/hooks\nheaders:\n  - name: X-Token\n    value: $token\n`,
        'trigger.on-scaled': "- when: deployment.spec.replicas >= 3\n  send: [scaled]\n",
        'template.scaled': 'message: "{{.deployment.metadata.name}} has {{.deployment.spec.replicas}} replicas"\nwebhook:\n  receiver:\n    method: POST\n    path: /scaled\n    body: \'{"name": "{{.deployment.metadata.name}}", "to": "{{.recipient}}"}\'\n',
      },
    },
    signal(),
  );
  await client.create(`/api/v1/namespaces/${heraldNs}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'herald-notifications-secret' }, stringData: { token: 's3cret-token' } }, signal());
  await client.create(
    `/apis/apps/v1/namespaces/${shop}/deployments`,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    },
    signal(),
  );
  engine = join(dir, 'engine.yaml');
  writeFileSync(engine, `notifications:\n  namespace: ${heraldNs}\nplugins:\n  - name: '@herald/sink-webhook'\n`);
}, 180_000);

afterAll(async () => {
  receiver?.server.close();
  await cp?.stop();
});

describe('cluster mode', () => {
  it('trigger run reads the object and the ConfigMap from the cluster in $KUBECONFIG', async () => {
    const result = await herald(['trigger', 'run', 'on-scaled', 'deploy/web', '-n', shop, '-c', engine, '-o', 'json'], { KUBECONFIG: cp.adminKubeconfigPath });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual([{ key: expect.stringMatching(/^\[0\]\./), triggered: true, oncePer: null, templates: ['scaled'] }]);
  });

  it('template notify renders for an object named by resource and group, with --kubeconfig', async () => {
    const result = await herald(['template', 'notify', 'scaled', 'deployments.apps/web', '--namespace', shop, '--kubeconfig', cp.adminKubeconfigPath, '-c', engine, '--recipient', 'receiver:ops', '-o', 'json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      message: 'web has 3 replicas',
      webhook: { receiver: { method: 'POST', path: '/scaled', body: '{"name": "web", "to": "ops"}' } },
    });
  });

  it('config validate reads the engine ConfigMap and Secret from the cluster, checked by the engine’s sinks', async () => {
    const result = await herald(['config', 'validate', '--kubeconfig', cp.adminKubeconfigPath, '-c', engine, '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: true,
      origin: { configMap: `configmap ${heraldNs}/herald-notifications-cm`, secret: `secret ${heraldNs}/herald-notifications-secret` },
      sinks: { engineConfig: engine, serviceTypes: ['webhook'] },
    });
    const text = await herald(['config', 'validate', '--kubeconfig', cp.adminKubeconfigPath, '-c', engine]);
    expect(text).toMatchObject({ code: 0, stdout: `configmap ${heraldNs}/herald-notifications-cm: valid (1 trigger(s), 1 template(s), 1 service(s), 0 subscription(s))\n` });
  });

  it('files still work beside the cluster: a resource file with the cluster’s ConfigMap', async () => {
    const pod = join(dir, 'deploy.yaml');
    writeFileSync(pod, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: local}\nspec: {replicas: 1}\n');
    const result = await herald(['trigger', 'run', 'on-scaled', pod, '--kubeconfig', cp.adminKubeconfigPath, '-c', engine, '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)[0].triggered).toBe(false);
  });

  it.each([
    [['trigger', 'run', 'on-scaled', 'deploy/nope'], 'HERALD_ERR_NOT_FOUND', /^deployments\.apps .*\/nope not found in https:\/\/127\.0\.0\.1:/],
    [['trigger', 'run', 'on-scaled', 'gizmos/web'], 'HERALD_ERR_NOT_FOUND', /has no resource type "gizmos"/],
    [['trigger', 'get', '--context', 'elsewhere'], 'HERALD_ERR_KUBE_CONFIG', /context "elsewhere" is not in/],
  ])('fails with exit 1 and a JSON error on stdout: %j', async (args, code, message) => {
    const result = await herald([...args, '-n', shop, '--kubeconfig', cp.adminKubeconfigPath, '-c', engine, '-o', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code, message: expect.stringMatching(message) } });
  });

  it('route test reads the object and the ConfigMap from the cluster and gates on --expect', async () => {
    await client.create(
      `/apis/apps/v1/namespaces/${shop}/deployments`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', annotations: { 'notifications.argoproj.io/subscribe.on-scaled.receiver': 'ops' } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'api' } },
          template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'nginx' }] } },
        },
      },
      signal(),
    );
    const args = ['route', 'test', 'deploy/api', '-n', shop, '--kubeconfig', cp.adminKubeconfigPath, '-c', engine, '--no-bus', '-o', 'json'];
    const pass = await herald([...args, '--expect', 'receiver:ops']);
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ destinations: ['receiver:ops'], expect: { ok: true } });
    const fail = await herald([...args, '--expect', 'receiver:oncall']);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout)).toMatchObject({ expect: { ok: false, missing: ['receiver:oncall'], unexpected: ['receiver:ops'] } });
  });

  it('route test with self-service also plans the object’s namespace’s own config, as the engine does', async () => {
    const team = await cp.createNamespace('team');
    await client.create(
      `/api/v1/namespaces/${team}/configmaps`,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'herald-notifications-cm' },
        data: {
          'service.webhook.team': `url: ${receiver.url}/team/$team-token\n`,
          'trigger.on-scaled': '- when: deployment.spec.replicas >= 2\n  send: [team-scaled]\n',
          'template.team-scaled': 'message: "team {{.deployment.metadata.name}}"\n',
        },
      },
      signal(),
    );
    await client.create(
      `/apis/apps/v1/namespaces/${team}/deployments`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', annotations: { 'notifications.argoproj.io/subscribe.on-scaled.receiver': 'ops', 'notifications.argoproj.io/subscribe.on-scaled.team': '' } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'api' } },
          template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'nginx' }] } },
        },
      },
      signal(),
    );
    const selfService = join(dir, 'self-service.yaml');
    writeFileSync(selfService, `notifications:\n  namespace: ${heraldNs}\n  selfService: true\nplugins:\n  - name: '@herald/sink-webhook'\n`);
    const args = ['route', 'test', 'deploy/api', '-n', team, '--kubeconfig', cp.adminKubeconfigPath, '--no-bus'];
    const result = await herald([...args, '-c', selfService, '-o', 'json', '--expect', `receiver:ops,${team}/team:`]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { destinations: string[]; decisions: { stateKey: string; config?: string }[]; problems: string[]; subscriptions: { destination: string; config: string | null }[] };
    expect(report.destinations).toEqual(['receiver:ops', `${team}/team:`]);
    expect(report.decisions.map((d) => d.stateKey).sort()).toEqual([expect.stringMatching(/^on-scaled:\[0\]\.[\w-]+:receiver:ops$/), expect.stringMatching(new RegExp(`^${team}:on-scaled:\\[0\\]\\.[\\w-]+:team:$`))]);
    // Each config's service is found in its own config: neither subscription is a warning.
    expect(report.problems).toEqual([]);
    expect(report.subscriptions.map((s) => [s.config, s.destination])).toEqual([
      [null, 'receiver:ops'],
      [team, `${team}/team:`],
    ]);
    const text = await herald([...args, '-c', selfService]);
    expect(text.stdout).toContain(`would notify: receiver:ops, ${team}/team:`);
    expect(text.stdout).toMatch(new RegExp(`^${team} +on-scaled +\\[0\\]`, 'm'));
    // Without self-service, the team's config is not read: only Herald's own service, and a warning for the other.
    const own = JSON.parse((await herald([...args, '-c', engine, '-o', 'json'])).stdout) as { destinations: string[]; problems: string[] };
    expect(own.destinations).toEqual(['receiver:ops']);
    expect(own.problems).toEqual(['notifications.argoproj.io/subscribe.on-scaled.team: service "team" is not defined in the config']);
  });

  it('says what it could not read when RBAC refuses it', async () => {
    const result = await herald(['trigger', 'get', '--kubeconfig', cp.restrictedKubeconfigPath, '-c', engine]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^herald: cannot read configmap ${heraldNs}/herald-notifications-cm from https://127\\.0\\.0\\.1:\\d+: 403 `));
  });
});

describe('template notify --send', () => {
  it('delivers through the webhook sink herald.yaml loads, to every --recipient, with the Secret’s value', async () => {
    receiver.requests.length = 0;
    receiver.status.code = 200;
    const result = await herald([
      'template', 'notify', 'scaled', 'deploy/web', '-n', shop, '--kubeconfig', cp.adminKubeconfigPath, '-c', engine,
      '--recipient', 'receiver:ops', '--recipient', 'receiver:dev', '--recipient', 'console:tty', '--send',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('sent to receiver:ops\nsent to receiver:dev\nweb has 3 replicas\n');
    expect(receiver.requests.map((r) => ({ method: r.method, url: r.url, token: r.headers['x-token'], body: r.body }))).toEqual([
      { method: 'POST', url: '/hooks/scaled', token: 's3cret-token', body: '{"name": "web", "to": "ops"}' },
      { method: 'POST', url: '/hooks/scaled', token: 's3cret-token', body: '{"name": "web", "to": "dev"}' },
    ]);
  });

  it('exits 1 when the receiver refuses, saying so per recipient in JSON, without the Secret’s value', async () => {
    receiver.requests.length = 0;
    receiver.status.code = 400;
    const result = await herald(['template', 'notify', 'scaled', 'deploy/web', '-n', shop, '--kubeconfig', cp.adminKubeconfigPath, '-c', engine, '--recipient', 'receiver:ops', '--send', '-o', 'json']);
    expect(result.code).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect(result.stdout).not.toContain('s3cret-token');
    expect(JSON.parse(result.stdout)).toEqual([{ recipient: 'receiver:ops', sent: false, error: { code: expect.stringMatching(/^HERALD_ERR_/), message: expect.stringContaining('400') } }]);
  });
});
