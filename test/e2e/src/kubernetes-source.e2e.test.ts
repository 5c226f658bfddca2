import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { engineConfigSchema, Kernel } from '@herald/core-kernel';
import {
  createNamespacedCrd,
  eventually,
  grantRestrictedUser,
  startControlPlane,
  startNats,
  testNatsLimits,
  type ControlPlane,
  type NatsServer,
} from '@herald/test-harness';
import { readEventLog, type EventLog, type RecordedEvent } from './support/event-log.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { TestMetricReader } from './support/test-metrics.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const group = 'e2e.herald.dev';
const pods = { version: 'v1', resource: 'pods', kind: 'Pod' };
const widgets = { group, version: 'v1', resource: 'widgets', kind: 'Widget' };
const metrics = new TestMetricReader();
const telemetry = startTelemetry({ serviceName: 'e2e-kubernetes-source', serviceVersion: '0.0.0', metricReaders: [metrics] });

let cp: ControlPlane;
let nats: NatsServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  custom = cp.adminKubeConfig.makeApiClient(CustomObjectsApi);
  await createNamespacedCrd(cp.adminKubeConfig, { group, kind: 'Widget', plural: 'widgets' });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await Promise.all([cp?.stop(), nats?.stop()]);
  await telemetry.shutdown();
});

let run = 0;
interface Herald {
  kernel: Kernel;
  events: EventLog;
  logs: string[];
}

/** Boots Herald with the kubernetes source (and nothing else) on streams of its own, and reads its events. */
async function bootHerald(options: Record<string, unknown>, natsOptions: Record<string, unknown> = {}): Promise<Herald> {
  run++;
  const logs: string[] = [];
  const config = engineConfigSchema.parse({
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: `ks${run}`, streamPrefix: `KS${run}`, ...natsOptions },
    roles: ['source'],
    plugins: [
      {
        name: '@herald/source-kubernetes',
        initTimeout: '60s',
        options: { kubeconfig: cp.adminKubeconfigPath, backoff: { initial: '200ms', max: '2s' }, ...options },
      },
    ],
  });
  const logger = createLogger('e2e', { level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const kernel = await Kernel.boot({ config, baseDir: here, logger, telemetry });
  cleanups.push(() => kernel.stop());
  const events = await readEventLog(nats.url, `${(natsOptions.streamPrefix as string | undefined) ?? `KS${run}`}_EVENTS`);
  cleanups.push(() => events.close());
  return { kernel, events, logs };
}

function pod(name: string, labels: Record<string, string> = {}): V1Pod {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } };
}

async function setPhase(namespace: string, name: string, phase: string): Promise<void> {
  await core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase } } }, mergePatch);
}

const is = (action: string, name: string, namespace?: string) => (e: RecordedEvent) =>
  e.data.action === action && e.data.ref.name === name && (namespace === undefined || e.data.ref.namespace === namespace);

describe('kubernetes source', () => {
  it('publishes what is there on start as ADDED, then a Pod’s life in order, without managedFields', async () => {
    const namespace = await cp.createNamespace('life');
    await core.createNamespacedPod({ namespace, body: pod('early') });
    const { events, logs } = await bootHerald({ resources: [pods], namespaces: [namespace] });

    const early = await events.waitFor(is('ADDED', 'early'), 'the Pod that existed before Herald started');
    expect(early.data.object).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'early', namespace } });

    const created = await core.createNamespacedPod({ namespace, body: pod('web') });
    const uid = created.metadata!.uid!;
    await events.waitFor(is('ADDED', 'web'), 'web created');
    await setPhase(namespace, 'web', 'Running');
    await events.waitFor((e) => is('MODIFIED', 'web')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'web Running');
    // The API server keeps managedFields; Herald must not pass them on.
    expect((await core.readNamespacedPod({ name: 'web', namespace })).metadata?.managedFields?.length).toBeGreaterThan(0);
    await core.deleteNamespacedPod({ name: 'web', namespace });
    await events.waitFor(is('DELETED', 'web'), 'web deleted');

    const life = events.of('web', namespace);
    expect(life.map((e) => e.data.action)[0]).toBe('ADDED');
    expect(life.at(-1)?.data.action).toBe('DELETED');
    expect(life.map((e) => (e.data.object.status as { phase?: string }).phase)).toEqual(['Pending', 'Running', ...life.slice(2).map(() => 'Running')]);
    // One object's events are on one subject, in the order the API server made them.
    expect(new Set(life.map((e) => e.subject)).size).toBe(1);
    const versions = life.map((e) => BigInt(e.data.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(versions).size).toBe(versions.length);
    for (const e of life) {
      expect(e.data.ref).toEqual({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace, name: 'web', uid });
      expect(e.data.resourceVersion).toBe((e.data.object.metadata as { resourceVersion: string }).resourceVersion);
      expect(e.event).toMatchObject({ id: `${uid}:${e.data.resourceVersion}:${e.data.action}`, source: 'herald/source/kubernetes', subject: `${namespace}/web` });
      expect(e.msgId).toBe(e.event.id);
    }
    for (const e of events.events) expect(JSON.stringify(e.data.object)).not.toContain('managedFields');

    // No credentials in the logs.
    const token = (JSON.parse(readFileSync(cp.adminKubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] }).users[0]!.user.token;
    expect(logs.join('\n')).toContain('kubernetes source configured');
    expect(logs.join('\n')).not.toContain(token);
  });

  it('publishes no MODIFIED that changes nothing but Herald’s own notified annotation; any other change is published', async () => {
    const namespace = await cp.createNamespace('notified');
    await core.createNamespacedPod({ namespace, body: pod('web') });
    const { events } = await bootHerald({ resources: [pods], namespaces: [namespace] });
    await events.waitFor(is('ADDED', 'web'), 'web listed');
    const annotate = (annotations: Record<string, string>) => core.patchNamespacedPod({ name: 'web', namespace, body: { metadata: { annotations } } }, mergePatch);

    await annotate({ 'notified.notifications.argoproj.io': '{"on-pod-ready:[0].x:webhook:":1}' });
    await annotate({ team: 'shop' });
    // Events of one object come in order: once the second change is published, the first one would have been.
    const second = await events.waitFor((e) => is('MODIFIED', 'web')(e) && (e.data.object.metadata as { annotations?: Record<string, string> }).annotations?.team === 'shop', 'the team annotation');
    expect((second.data.object.metadata as { annotations: Record<string, string> }).annotations['notified.notifications.argoproj.io']).toBe('{"on-pod-ready:[0].x:webhook:":1}');
    expect(events.of('web', namespace).map((e) => e.data.action)).toEqual(['ADDED', 'MODIFIED']);
  });

  it('watches two resources at once, a CRD among them, each in its namespaces only', async () => {
    const [a, b] = await Promise.all([cp.createNamespace('two-a'), cp.createNamespace('two-b')]);
    const { events } = await bootHerald({ namespaces: [a], resources: [pods, { ...widgets, namespaces: [a, b] }] });

    await core.createNamespacedPod({ namespace: b, body: pod('elsewhere') });
    await core.createNamespacedPod({ namespace: a, body: pod('here') });
    for (const namespace of [a, b]) {
      await custom.createNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets', body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: `w-${namespace}` }, spec: { size: 1 } } });
    }
    const inA = await events.waitFor(is('ADDED', 'here', a), 'the Pod in the watched namespace');
    expect(inA.data.ref).toMatchObject({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: a });
    for (const namespace of [a, b]) {
      const widget = await events.waitFor(is('ADDED', `w-${namespace}`, namespace), `the Widget in ${namespace}`);
      expect(widget.data.ref).toMatchObject({ group, version: 'v1', resource: 'widgets', kind: 'Widget', namespace });
      expect(widget.data.object).toMatchObject({ apiVersion: `${group}/v1`, kind: 'Widget', spec: { size: 1 } });
    }
    await custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: b, plural: 'widgets', name: `w-${b}`, body: { spec: { size: 3 } } }, mergePatch);
    const resized = await events.waitFor(is('MODIFIED', `w-${b}`, b), 'the Widget resized');
    expect(resized.data.object.spec).toEqual({ size: 3 });

    // A Pod created after the one in namespace b arrived; nothing of b's Pods did.
    await core.createNamespacedPod({ namespace: a, body: pod('last') });
    await events.waitFor(is('ADDED', 'last', a), 'a later Pod');
    expect(events.events.filter((e) => e.data.ref.resource === 'pods' && e.data.ref.namespace !== a)).toEqual([]);
  });

  it('watches a cluster-scoped resource whole, whatever the namespaces default', async () => {
    const { events } = await bootHerald({ namespaces: ['default'], resources: [{ version: 'v1', resource: 'namespaces', kind: 'Namespace' }] });
    await events.waitFor(is('ADDED', 'kube-system'), 'an existing namespace on start');
    const name = await cp.createNamespace('cluster-scoped');
    const added = await events.waitFor(is('ADDED', name), 'a namespace created');
    expect(added.data.ref).toEqual({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', name, uid: (added.data.object.metadata as { uid: string }).uid });
    expect(added.event.subject).toBe(name);
  });

  it('needs no more than list and watch: the restricted user with just those runs it, without them start fails naming the resource', async () => {
    const [allowed, denied] = await Promise.all([cp.createNamespace('rbac-ok'), cp.createNamespace('rbac-no')]);
    await grantRestrictedUser(cp, allowed, 'herald-watch-pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
    const restricted = cp.restrictedKubeConfig.makeApiClient(CoreV1Api);
    await eventually(() => restricted.listNamespacedPod({ namespace: allowed }));

    const refused = await bootHerald({ kubeconfig: cp.restrictedKubeconfigPath, resources: [pods], namespaces: [denied], leaderElection: { enabled: false } }).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      `plugin "kubernetes": start failed: resources[0]: cannot list pods.v1 in namespace "${denied}": pods is forbidden: User "${cp.restrictedUser}" cannot list resource "pods" in API group "" in the namespace "${denied}" (Herald needs list and watch on it)`,
    );

    const { events } = await bootHerald({ kubeconfig: cp.restrictedKubeconfigPath, resources: [pods], namespaces: [allowed], leaderElection: { enabled: false } });
    await core.createNamespacedPod({ namespace: allowed, body: pod('seen') });
    await events.waitFor(is('ADDED', 'seen'), 'a Pod seen by the restricted user');
    await setPhase(allowed, 'seen', 'Running');
    await events.waitFor((e) => is('MODIFIED', 'seen')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'its status change');
  });

  it.each([
    ['a resource the group does not have', { version: 'v1', resource: 'podz', kind: 'Pod' }, 'resources[0]: the API server does not serve resource "podz" in v1 (it serves '],
    ['a group that is not served', { group: 'nope.herald.dev', version: 'v1', resource: 'things', kind: 'Thing' }, 'resources[0]: the API server does not serve resource "things" in nope.herald.dev/v1 (it does not serve nope.herald.dev/v1 at all)'],
    ['the wrong kind', { ...widgets, kind: 'Gadget' }, 'resources[0].kind: widgets.v1.e2e.herald.dev (apiVersion e2e.herald.dev/v1) holds kind "Widget", not "Gadget"'],
    ['namespaces on a cluster-scoped resource', { version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaces: ['default'] }, 'resources[0].namespaces: namespaces.v1 (apiVersion v1) is cluster-scoped; remove its namespaces'],
  ])('fails to start on %s, naming it', async (_, resource, message) => {
    const failure = await bootHerald({ resources: [resource] }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`plugin "kubernetes": start failed: ${message}`);
  });

  it('goes on after the API server restarts: a change made afterwards is published', async () => {
    const namespace = await cp.createNamespace('restart');
    await core.createNamespacedPod({ namespace, body: pod('steady') });
    const { events } = await bootHerald({ resources: [pods], namespaces: [namespace] });
    await events.waitFor(is('ADDED', 'steady'), 'the Pod on start');
    const errorsBefore = await metrics.counter('herald.source.kubernetes.watch.errors');

    await cp.restart();
    await eventually(() => setPhase(namespace, 'steady', 'Running'));
    await core.createNamespacedPod({ namespace, body: pod('after') });

    await events.waitFor((e) => is('MODIFIED', 'steady')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'the change after the restart');
    await events.waitFor(is('ADDED', 'after'), 'the Pod created after the restart');
    expect(await metrics.counter('herald.source.kubernetes.watch.errors')).toBeGreaterThan(errorsBefore);
  });

  it('cut off from the API server, resumes its watch where it was: what changed meanwhile comes from the watch, without a relist', async () => {
    const namespace = await cp.createNamespace('cut');
    for (const name of ['a', 'b']) await core.createNamespacedPod({ namespace, body: pod(name) });
    const proxy = await proxied();
    const { events } = await bootHerald({ kubeconfig: proxy.kubeconfig, resources: [pods], namespaces: [namespace] });
    const addedB = await events.waitFor(is('ADDED', 'b'), 'b on start');
    await events.waitFor(is('ADDED', 'a'), 'a on start');
    const relistsBefore = await metrics.counter('herald.source.kubernetes.relists');

    proxy.cut();
    await setPhase(namespace, 'a', 'Running');
    await core.deleteNamespacedPod({ name: 'b', namespace });
    await core.createNamespacedPod({ namespace, body: pod('c') });
    await delay(1_000);
    proxy.restore();

    await events.waitFor((e) => is('MODIFIED', 'a')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'a Running');
    await events.waitFor(is('ADDED', 'c'), 'c created while cut off');
    const deleted = await events.waitFor(is('DELETED', 'b'), 'b deleted while cut off');
    // Replayed by the watch: the deletion's own resourceVersion, not b's last known one.
    expect(BigInt(deleted.data.resourceVersion)).toBeGreaterThan(BigInt(addedB.data.resourceVersion));
    expect(await metrics.counter('herald.source.kubernetes.relists')).toBe(relistsBefore);
  });

  it('relists when its resourceVersion is gone (410) after a restart it missed, and publishes DELETED with which object disappeared (its tombstone)', async () => {
    const namespace = await cp.createNamespace('gone');
    for (const name of ['keep', 'change', 'vanish']) await core.createNamespacedPod({ namespace, body: pod(name) });
    const proxy = await proxied();
    const { events, logs } = await bootHerald({ kubeconfig: proxy.kubeconfig, resources: [pods], namespaces: [namespace] });
    const vanishAdded = await events.waitFor(is('ADDED', 'vanish'), 'vanish on start');
    await events.waitFor(is('ADDED', 'keep'), 'keep on start');
    await events.waitFor(is('ADDED', 'change'), 'change on start');
    const relistsBefore = await metrics.counter('herald.source.kubernetes.relists', { resource: 'pods' });

    // Herald sees none of this: the changes, then a restart that empties the API server's watch cache.
    proxy.cut();
    await setPhase(namespace, 'change', 'Running');
    await core.deleteNamespacedPod({ name: 'vanish', namespace });
    await core.createNamespacedPod({ namespace, body: pod('new') });
    await cp.restart();
    proxy.restore();

    const vanished = await events.waitFor(is('DELETED', 'vanish'), 'vanish, deleted while Herald was away');
    expect(vanished.data.resourceVersion).toBe(vanishAdded.data.resourceVersion);
    // The source keeps a fingerprint of each object, not the object: what went is known by its identity alone.
    const identity = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp'];
    const metadata = Object.fromEntries(Object.entries(vanishAdded.data.object.metadata as Record<string, unknown>).filter(([key]) => identity.includes(key)));
    expect(vanished.data.object).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata });
    await events.waitFor((e) => is('MODIFIED', 'change')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'change, modified while away');
    await events.waitFor(is('ADDED', 'new'), 'new, created while away');
    expect(await metrics.counter('herald.source.kubernetes.relists', { resource: 'pods' })).toBe(relistsBefore + 1);
    expect(logs.some((l) => l.includes('(410 Gone): relisting'))).toBe(true);
  });

  it('keeps events while NATS is down and publishes them, each object’s in order, once it is back', async () => {
    const namespace = await cp.createNamespace('bus-down');
    const { events } = await bootHerald({ resources: [pods], namespaces: [namespace] }, { publish: { timeout: '1s', attemptTimeout: '500ms' } });
    await core.createNamespacedPod({ namespace, body: pod('first') });
    await events.waitFor(is('ADDED', 'first'), 'first');
    const retriesBefore = await metrics.counter('herald.source.kubernetes.publish.retries');

    await nats.kill();
    await setPhase(namespace, 'first', 'Running');
    await core.createNamespacedPod({ namespace, body: pod('second') });
    await setPhase(namespace, 'second', 'Running');
    await eventually(async () => {
      if ((await metrics.counter('herald.source.kubernetes.publish.retries')) <= retriesBefore) throw new Error('no failed publish yet');
    });
    await nats.start();

    // A reader of its own: the first one's consumer went down with the server.
    const after = await readEventLog(nats.url, events.stream);
    cleanups.push(() => after.close());
    await after.waitFor((e) => is('MODIFIED', 'first')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'first Running');
    await after.waitFor((e) => is('MODIFIED', 'second')(e) && (e.data.object.status as { phase?: string }).phase === 'Running', 'second Running');
    // Objects are published side by side; the events of each in the order the API server made them.
    expect(after.of('first').map((e) => e.data.action)).toEqual(['ADDED', 'MODIFIED']);
    expect(after.of('second').map((e) => `${e.data.action} ${(e.data.object.status as { phase?: string }).phase}`)).toEqual(['ADDED Pending', 'MODIFIED Running']);
  });

  it('with a checkpoint, a restart publishes only what changed, appeared or went while it was stopped; without, every object again', async () => {
    const namespace = await cp.createNamespace('checkpoint');
    const before = ['same', 'changed', 'gone', 'annotated'];
    for (const name of before) await core.createNamespacedPod({ namespace, body: pod(name) });
    // One bus for every start; a repeat must be stored, not dropped as one within the duplicate window.
    const bus = { subjectPrefix: 'ks-checkpoint', streamPrefix: 'KS_CHECKPOINT', duplicateWindow: '100ms' };
    const options = { resources: [pods], namespaces: [namespace], checkpoint: true };
    const first = await bootHerald(options, bus);
    for (const name of before) await first.events.waitFor(is('ADDED', name), `${name} listed`);
    await first.kernel.stop();
    expect(first.logs.join('\n')).toContain('checkpoint saved: the next start publishes only what changes meanwhile (4 objects known)');
    const firstSeq = first.events.events.at(-1)!.seq;

    // While no Herald runs.
    await core.patchNamespacedPod({ name: 'changed', namespace, body: { metadata: { labels: { tier: 'web' } } } }, mergePatch);
    await core.patchNamespacedPod({ name: 'annotated', namespace, body: { metadata: { annotations: { 'notified.notifications.argoproj.io': '{"x":1}' } } } }, mergePatch);
    await core.deleteNamespacedPod({ name: 'gone', namespace, gracePeriodSeconds: 0 });
    await core.createNamespacedPod({ namespace, body: pod('new') });

    const second = await bootHerald(options, bus);
    await core.createNamespacedPod({ namespace, body: pod('after') });
    await second.events.waitFor(is('ADDED', 'after'), 'the Pod created after the second start');
    const since = (log: EventLog, seq: number) => log.events.filter((e) => e.seq > seq).map((e) => `${e.data.action} ${e.data.ref.name}`);
    // Every event of the list is published before the watch's first (objects side by side, in any order).
    const published = since(second.events, firstSeq);
    expect(published.at(-1)).toBe('ADDED after');
    expect(published.slice(0, -1).sort()).toEqual(['ADDED new', 'DELETED gone', 'MODIFIED changed']);
    const gone = second.events.events.find(is('DELETED', 'gone'))!;
    expect(gone.data.object).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: expect.objectContaining({ name: 'gone', namespace, uid: first.events.events.find(is('ADDED', 'gone'))!.data.ref.uid }) });
    expect(second.logs.join('\n')).toMatch(/checkpoint of [^:]+: publishing only what changed since \(4 objects known\)/);
    await second.kernel.stop();
    const secondSeq = second.events.events.at(-1)!.seq;

    // Without a checkpoint, a start publishes every object.
    const third = await bootHerald({ ...options, checkpoint: false }, bus);
    await third.events.waitFor((e) => e.seq > secondSeq && is('ADDED', 'after')(e), 'after listed again');
    await eventually(async () => expect(since(third.events, secondSeq).sort()).toEqual(['ADDED after', 'ADDED annotated', 'ADDED changed', 'ADDED new', 'ADDED same']));
  });

  it('publishes nothing once stopped', async () => {
    const namespace = await cp.createNamespace('stop');
    const { kernel, events } = await bootHerald({ resources: [pods], namespaces: [namespace] });
    await core.createNamespacedPod({ namespace, body: pod('before') });
    await events.waitFor(is('ADDED', 'before'), 'before');
    await kernel.stop();
    await kernel.stop();
    await core.createNamespacedPod({ namespace, body: pod('after') });
    await setPhase(namespace, 'before', 'Running');
    await delay(2_000);
    expect(events.events.map((e) => `${e.data.action} ${e.data.ref.name}`)).toEqual(['ADDED before']);
  });
});

/** A proxy in front of the API server and an admin kubeconfig that goes through it. */
async function proxied(): Promise<TcpProxy & { kubeconfig: string }> {
  const target = new URL(cp.server);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  cleanups.push(() => proxy.stop());
  const doc = JSON.parse(readFileSync(cp.adminKubeconfigPath, 'utf8')) as { clusters: { cluster: { server: string } }[] };
  // The serving certificate is for 127.0.0.1, whatever the port.
  for (const c of doc.clusters) c.cluster.server = `https://127.0.0.1:${proxy.port}`;
  const kubeconfig = join(cp.dataDir, `proxied-${proxy.port}.kubeconfig`);
  writeFileSync(kubeconfig, JSON.stringify(doc), { mode: 0o600 });
  return Object.assign(proxy, { kubeconfig });
}
