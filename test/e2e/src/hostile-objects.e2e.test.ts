import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { engineConfigSchema, Kernel } from '@herald/core-kernel';
import { createNamespacedCrd, eventually, startControlPlane, startNats, testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { readEventLog, type EventLog, type RecordedEvent } from './support/event-log.ts';
import { TestMetricReader } from './support/test-metrics.ts';

// Issue 12, breaks 2 and 8: an object the source cannot publish goes to the dead letters with the reason,
// visible with `herald dlq list`, and the watch of its resource goes on.

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const group = 'hostile.herald.dev';
const widgets = { group, version: 'v1', resource: 'widgets', kind: 'Widget' };
const configmaps = { version: 'v1', resource: 'configmaps', kind: 'ConfigMap' };
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const metrics = new TestMetricReader();
const telemetry = startTelemetry({ serviceName: 'e2e-hostile-objects', serviceVersion: '0.0.0', metricReaders: [metrics] });

let cp: ControlPlane;
let nats: NatsServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  custom = cp.adminKubeConfig.makeApiClient(CustomObjectsApi);
  // x-kubernetes-preserve-unknown-fields on the whole object, as Argo CD's valuesObject has it.
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

/** Boots Herald with the kubernetes source on streams of its own; returns its events and a herald.yaml for the CLI. */
async function bootHerald(options: Record<string, unknown>, streams: Record<string, unknown> = testNatsLimits.streams): Promise<{ events: EventLog; configPath: string }> {
  run++;
  const bus = { servers: [nats.url], subjectPrefix: `ho${run}`, streamPrefix: `HO${run}` };
  const config = engineConfigSchema.parse({
    nats: { ...testNatsLimits, ...bus, streams },
    roles: ['source'],
    plugins: [{ name: '@herald/source-kubernetes', initTimeout: '60s', options: { kubeconfig: cp.adminKubeconfigPath, leaderElection: { enabled: false }, backoff: { initial: '200ms', max: '2s' }, ...options } }],
  });
  const logger = createLogger('e2e', { level: 'silent' });
  const kernel = await Kernel.boot({ config, baseDir: here, logger, telemetry });
  cleanups.push(() => kernel.stop());
  const events = await readEventLog(nats.url, `HO${run}_EVENTS`);
  cleanups.push(() => events.close());
  const configPath = join(mkdtempSync(join(tmpdir(), 'herald-hostile-')), 'herald.yaml');
  writeFileSync(configPath, JSON.stringify({ nats: bus }));
  return { events, configPath };
}

interface ListedLetter {
  id: number;
  channel: string;
  consumer: string | null;
  code: string | null;
  reason: string;
  original: { stream: string; sequence: number; truncated: boolean } | null;
  about: { action?: string; object?: string };
}

/** `herald dlq list -o json`, as an operator runs it. */
function dlqList(configPath: string): Promise<ListedLetter[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=herald-source', cli, 'dlq', 'list', '-c', configPath, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ListedLetter[]) : reject(new Error(`herald dlq list exited ${code}: ${err}${out}`))));
  });
}

async function letterAbout(configPath: string, object: string): Promise<ListedLetter> {
  return eventually(async () => {
    const letter = (await dlqList(configPath)).find((l) => l.about.object === object);
    if (!letter) throw new Error(`no dead letter about ${object} yet`);
    return letter;
  });
}

/**
 * POSTs a Widget whose spec nests `depth` objects, written as JSON text: JSON.stringify (and so any typed
 * client) overflows the stack on it long before the API server's own limit.
 */
async function createDeepWidget(namespace: string, name: string, depth: number): Promise<void> {
  const body = `{"apiVersion":"${group}/v1","kind":"Widget","metadata":{"name":"${name}"},"spec":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  const url = new URL(`${cp.server}/apis/${group}/v1/namespaces/${namespace}/widgets`);
  const options: https.RequestOptions = { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } };
  await cp.adminKubeConfig.applyToHTTPSOptions(options);
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request(url, options, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode === 201 ? resolve(201) : reject(new Error(`the API server answered ${res.statusCode}: ${text.slice(0, 300)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  expect(status).toBe(201);
}

const is = (action: string, name: string) => (e: RecordedEvent) => e.data.action === action && e.data.ref.name === name;

describe('hostile objects', () => {
  it('break 2: a 6,000-deep custom object is dead-lettered and the watch moves on', async () => {
    const namespace = await cp.createNamespace('deep');
    const { events, configPath } = await bootHerald({ resources: [{ ...widgets, namespaces: [namespace] }] });
    const deadLetteredBefore = await metrics.counter('herald.source.kubernetes.events.dead_lettered', { resource: 'widgets', reason: 'depth' });

    await createDeepWidget(namespace, 'deep', 6_000);
    await custom.createNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets', body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'plain' }, spec: { size: 1 } } });
    await events.waitFor(is('ADDED', 'plain'), 'the Widget created after the deep one');

    const letter = await letterAbout(configPath, `Widget ${namespace}/deep`);
    expect(letter).toMatchObject({ channel: 'events', consumer: 'herald/source/kubernetes', code: 'HERALD_ERR_KUBE_OBJECT_TOO_DEEP', about: { action: 'ADDED' } });
    expect(letter.reason).toMatch(new RegExp(`^widgets\\.v1\\.hostile\\.herald\\.dev ${namespace}/deep \\(uid [-0-9a-f]+, resourceVersion \\d+\\) is nested 6001 levels deep, more than the 512 Herald accepts$`));
    expect(letter.original).toEqual({ stream: `HO${run}_EVENTS`, subject: expect.any(String), sequence: 0, truncated: true });
    expect(events.of('deep')).toEqual([]);
    expect(await metrics.counter('herald.source.kubernetes.events.dead_lettered', { resource: 'widgets', reason: 'depth' })).toBe(deadLetteredBefore + 1);

    // Later events of the same resource are published; deleting the deep one publishes its DELETED, without the body.
    await custom.patchNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets', name: 'plain', body: { spec: { size: 2 } } }, mergePatch);
    await events.waitFor((e) => is('MODIFIED', 'plain')(e) && (e.data.object.spec as { size?: number }).size === 2, 'the Widget resized');
    await custom.deleteNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets', name: 'deep' });
    const deleted = await events.waitFor(is('DELETED', 'deep'), 'the deep Widget deleted');
    expect(deleted.data.object).toEqual({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: expect.objectContaining({ name: 'deep', namespace, uid: deleted.data.ref.uid, resourceVersion: deleted.data.resourceVersion }) });
    expect(deleted.data.object).not.toHaveProperty('spec');
  });

  it('break 8: an object over the max payload is published without last-applied-configuration, or dead-lettered with size, limit and key', async () => {
    const namespace = await cp.createNamespace('large');
    const streams = { ...testNatsLimits.streams, events: { maxBytes: '32MiB', maxMsgSize: '64KiB' } };
    const { events, configPath } = await bootHerald({ resources: [configmaps], namespaces: [namespace] }, streams);

    // kubectl apply's copy of a large ConfigMap: without it, the object fits.
    const applied = { metadata: { name: 'applied', annotations: { team: 'a' } }, data: { a: 'b' } };
    const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', ...applied, data: { blob: 'y'.repeat(70_000) } });
    await core.createNamespacedConfigMap({ namespace, body: { ...applied, metadata: { ...applied.metadata, annotations: { ...applied.metadata.annotations, [LAST_APPLIED]: lastApplied } } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'huge' }, data: { blob: 'x'.repeat(100_000) } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'small' }, data: { a: 'b' } } });

    const published = await events.waitFor(is('ADDED', 'applied'), 'the ConfigMap with the large annotation');
    expect((published.data.object.metadata as { annotations?: object }).annotations).toEqual({ team: 'a' });
    expect(published.data.object.data).toEqual({ a: 'b' });
    await events.waitFor(is('ADDED', 'small'), 'the ConfigMap after the huge one');

    const letter = await letterAbout(configPath, `ConfigMap ${namespace}/huge`);
    expect(letter).toMatchObject({ channel: 'events', consumer: 'herald/source/kubernetes', code: 'HERALD_ERR_KUBE_OBJECT_REFUSED', about: { action: 'ADDED' } });
    expect(letter.reason).toMatch(
      new RegExp(`^the bus refused ADDED of configmaps\\.v1 ${namespace}/huge \\(uid [-0-9a-f]+, resourceVersion \\d+\\): \\S+ is 10\\d{4} bytes, more than the 64512 bytes HO${run}_EVENTS takes \\(its max_msg_size 65536, server max_payload \\d+, less 1024 for headers\\)$`),
    );
    expect(events.of('huge')).toEqual([]);
    expect(await metrics.counter('herald.source.kubernetes.events.dead_lettered', { resource: 'configmaps', reason: 'refused' })).toBeGreaterThanOrEqual(1);
    expect(await metrics.counter('herald.source.kubernetes.events.reduced', { resource: 'configmaps', reduction: 'last-applied-configuration' })).toBeGreaterThanOrEqual(1);
  });
});
