// The compose stack watching a real cluster (deploy/compose/compose.yaml + compose.kube.yaml), as its README
// says to run it: a kubeconfig mounted, the notification ConfigMap and Secret applied to the cluster, a Pod
// subscribed by annotation. The cluster is the harness's real kube-apiserver, listening on the gateway of a
// docker network this test creates (a container cannot reach the host's 127.0.0.1), with that address in its
// serving certificate. Herald, in its container, delivers once and writes the `notified` annotation back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { eventually, freePort, startControlPlane, type ControlPlane } from '@herald/test-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { applyHeraldRbac } from '../support/cluster-setup.ts';
import { compose, docker } from './docker-cli.ts';

const stackDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../deploy/compose');
const files = [join(stackDir, 'compose.yaml'), join(stackDir, 'compose.kube.yaml')];
const project = `herald-ci-kube-${process.pid}`;
// herald.kube.yaml reads its ConfigMap and Secret from `default`; the Lease is there too.
const namespace = 'default';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const notifiedKey = 'notified.notifications.argoproj.io';

interface Received {
  method: string;
  path: string;
  body: string;
}

describe('docker compose stack watching a cluster', () => {
  const env: Record<string, string> = {};
  let network = '';
  let cp: ControlPlane | undefined;
  let dir = '';

  const url = (port: string, path: string) => `http://127.0.0.1:${env[port]}${path}`;
  const getJson = async <T>(port: string, path: string): Promise<T> => {
    const res = await fetch(url(port, path));
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const received = () => getJson<Received[]>('HERALD_RECEIVER_PORT', '/requests');
  const core = () => cp!.adminKubeConfig.makeApiClient(CoreV1Api);
  /** deploy/compose/objects/pod.yaml, the Pod the README subscribes, under another name. */
  const pod = (name: string): V1Pod => {
    const doc = parse(readFileSync(join(stackDir, 'objects/pod.yaml'), 'utf8')) as V1Pod;
    return { ...doc, metadata: { ...doc.metadata, name, namespace }, status: undefined };
  };
  const startPod = async (name: string) => {
    await core().createNamespacedPod({ namespace, body: pod(name) });
    await core().patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch);
  };
  const notifiedOf = async (name: string) => {
    const got = await core().readNamespacedPod({ name, namespace });
    return JSON.parse(got.metadata?.annotations?.[notifiedKey] ?? '{}') as Record<string, number>;
  };

  beforeAll(async () => {
    // A network of our own only for its gateway: an address of this machine that containers can reach.
    network = `${project}-apiserver`;
    await docker('network', 'create', '--label', `herald.test=${project}`, network);
    const [inspected] = JSON.parse(await docker('network', 'inspect', network)) as { IPAM: { Config: { Gateway: string }[] } }[];
    const gateway = inspected!.IPAM.Config[0]!.Gateway;
    cp = await startControlPlane({ address: gateway });

    // As a user would: Herald's RBAC (deploy/rbac) for the kubeconfig's user, then `kubectl apply -f
    // deploy/compose/notifications/`.
    await applyHeraldRbac(cp, namespace);
    const api = KubernetesObjectApi.makeApiClient(cp.adminKubeConfig);
    for (const file of ['configmap.yaml', 'secret.yaml']) {
      for (const doc of parseAllDocuments(readFileSync(join(stackDir, 'notifications', file), 'utf8'))) {
        const obj = doc.toJS() as KubernetesObject;
        await api.create({ ...obj, metadata: { ...obj.metadata, namespace } });
      }
    }

    dir = mkdtempSync(join(tmpdir(), 'herald-compose-kube-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await cp.writePortableKubeconfig(kubeconfig, 'restricted');
    env.KUBECONFIG_FILE = kubeconfig;
    for (const key of ['HERALD_NATS_PORT', 'HERALD_NATS_MONITOR_PORT', 'HERALD_TELEMETRY_PORT', 'HERALD_RECEIVER_PORT', 'HERALD_MAILPIT_PORT', 'HERALD_JAEGER_PORT']) {
      env[key] = String(await freePort());
    }
    await compose(project, files, env, 'up', '--detach', '--build');
    // Ready: NATS connected, the ConfigMap read from the cluster, the source's informer synced.
    await eventually(async () => {
      const res = await fetch(url('HERALD_TELEMETRY_PORT', '/readyz'));
      if (res.status !== 200) throw new Error(`/readyz ${res.status}: ${await res.text()}`);
    }, 180_000);
  });

  beforeEach(() => {
    onTestFailed(async () => {
      const logs = await compose(project, files, env, 'logs', '--no-color', '--tail', '200', 'herald').catch((err: Error) => err.message);
      process.stdout.write(`--- herald's log (last 200 lines)\n${logs}\n`);
    });
  });

  afterAll(async () => {
    await compose(project, files, env, 'down', '--volumes', '--remove-orphans', '--timeout', '20').catch(() => undefined);
    await cp?.stop();
    if (network) await docker('network', 'rm', network).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a Pod going Running is delivered once to the webhook and by email, and annotated notified on the cluster', async () => {
    expect(await received()).toEqual([]);
    await startPod('web-1');

    const [hook] = await eventually(async () => {
      const got = await received();
      if (got.length === 0) throw new Error('no webhook yet');
      return got;
    }, 120_000);
    expect(hook).toMatchObject({ method: 'POST', path: '/webhook', body: 'Pod web-1 is ready!\n' });
    const mail = await eventually(async () => {
      const box = await getJson<{ messages: { Subject: string; To: { Address: string }[] }[] }>('HERALD_MAILPIT_PORT', '/api/v1/messages');
      if (box.messages.length === 0) throw new Error('no email yet');
      return box.messages;
    }, 120_000);
    expect(mail.map((m) => [m.Subject, m.To.map((t) => t.Address)])).toEqual([['Pod web-1 is ready', ['dev@example.com']]]);

    // Herald wrote the annotation through the mounted kubeconfig: one key per destination, Argo's format.
    await eventually(async () => expect(Object.keys(await notifiedOf('web-1'))).toHaveLength(2), 120_000);
    expect(Object.keys(await notifiedOf('web-1')).sort()).toEqual([
      expect.stringMatching(/^on-pod-ready:\[0\]\.[\w-]+:email:dev@example\.com$/),
      expect.stringMatching(/^on-pod-ready:\[0\]\.[\w-]+:receiver:$/),
    ]);

    // web-1 changed again while still Running: nothing more. web-2 marks the point where Herald has moved on.
    await core().patchNamespacedPod({ name: 'web-1', namespace, body: { metadata: { labels: { touched: 'yes' } } } }, mergePatch);
    await startPod('web-2');
    await eventually(async () => {
      if (!(await received()).some((r) => r.body.includes('web-2'))) throw new Error('web-2 not delivered yet');
    }, 120_000);
    expect((await received()).map((r) => r.body)).toEqual(['Pod web-1 is ready!\n', 'Pod web-2 is ready!\n']);
  });

  it('down --volumes leaves no container, network or volume of the project', async () => {
    await compose(project, files, env, 'down', '--volumes', '--remove-orphans', '--timeout', '20');
    await docker('network', 'rm', network);
    const left = await Promise.all(
      ['ps -a', 'network ls', 'volume ls'].map(async (what) => (await docker(...what.split(' '), '--filter', `label=com.docker.compose.project=${project}`, '--quiet')).trim()),
    );
    expect(left).toEqual(['', '', '']);
    network = '';
  });
});
