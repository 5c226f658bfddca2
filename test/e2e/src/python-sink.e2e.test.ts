import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startControlPlane, startNats, testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { waitForSettled } from './support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap, seedConfigMap } from './support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';
import { startIdempotentReceiver, type IdempotentReceiver } from './support/idempotent-receiver.ts';
import { startPythonSink, type PythonSinkProcess } from './support/python-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

// A sink in another language (examples/python-sink, nats-py) beside Herald's own webhook sink, both
// notified for the same Pod by the reference scenario's trigger.
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const notifiedKey = 'notified.notifications.argoproj.io';
const stateKey = (service: string) => `on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:${service}:`;
const token = 'py-t0ken-never-on-the-bus';
const prefix = 'POLY';
const cli = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));

let cp: ControlPlane;
let nats: NatsServer;
let webhook: WebhookReceiver;
let endpoint: IdempotentReceiver;
let core: CoreV1Api;
let namespace: string;
let herald: HeraldProcess | undefined;
const pythons: PythonSinkProcess[] = [];
const secretsDir = mkdtempSync(join(tmpdir(), 'herald-python-secrets-'));

const python = async () => {
  const p = await startPythonSink({
    NATS_URL: nats.url,
    HERALD_SERVICE_TYPE: 'python',
    HERALD_SUBJECT_PREFIX: prefix.toLowerCase(),
    HERALD_STREAM_PREFIX: prefix,
    HERALD_SECRETS_DIR: secretsDir,
    // Short, so the kill test's redelivery comes soon.
    SINK_ACK_WAIT: '2',
  });
  pythons.push(p);
  return p;
};

beforeAll(async () => {
  [cp, nats, webhook, endpoint] = await Promise.all([startControlPlane(), startNats(), startWebhookReceiver(), startIdempotentReceiver()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  namespace = await cp.createNamespace('poly');
  await applyHeraldRbac(cp, namespace);
  const cm = seedConfigMap(namespace, 'herald-notifications-cm', webhook.url);
  cm.data!['template.pod-ready'] = `message: |\n  Pod {{.pod.metadata.name}} is ready!\n${cm.data!['template.pod-ready']}`;
  cm.data!['service.python'] = `url: ${endpoint.url}/python\nheaders:\n- name: Authorization\n  value: Bearer $python-token\n`;
  cm.data!['service.python.gone'] = `url: ${endpoint.url}/gone\n`;
  await createConfigMap(cp, cm);
  // The notification config's Secret, in the cluster for Herald; mounted (here: a directory) for the sink.
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'herald-notifications-secret', namespace }, stringData: { 'python-token': token } } });
  writeFileSync(join(secretsDir, 'python-token'), token);
  herald = await startHerald(
    {
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
      notifications: { namespace },
      externalSinks: [{ serviceType: 'python' }],
      plugins: [
        { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
        { name: '@herald/sink-webhook' },
      ],
    },
    { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
  );
});
// A failed test prints what the Python sinks and Herald said, for whoever reads the CI output.
beforeEach(() => {
  onTestFailed(() => {
    for (const p of pythons) process.stdout.write(`--- Python sink ${p.pid}\n${p.logs().slice(-4_000)}\n`);
    if (herald) process.stdout.write(`--- herald\n${herald.logs().slice(-4_000)}\n`);
  });
});

afterAll(async () => {
  await Promise.all([herald?.kill(), ...pythons.map((p) => p.kill())]);
  await Promise.all([cp?.stop(), nats?.stop(), webhook?.close(), endpoint?.close()]);
});

const pod = (name: string): V1Pod => ({
  metadata: { name, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '', 'notifications.argoproj.io/subscribe.on-pod-ready.python': '' } },
  spec: { containers: [{ name: 'app', image: 'app' }] },
});
const running = async (name: string) => {
  await core.createNamespacedPod({ namespace, body: pod(name) });
  await core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch);
};
const forPod = (name: string) => (r: { path: string; body: string }) => r.path === '/python' && (JSON.parse(r.body) as { object: { name: string } }).object.name === name;
const waitForNotified = async (name: string, keys: string[]) => {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await delay(100)) {
    const value = (await core.readNamespacedPod({ name, namespace })).metadata?.annotations?.[notifiedKey];
    const notified = value === undefined ? {} : (JSON.parse(value) as Record<string, number>);
    if (keys.every((k) => notified[k] !== undefined)) return notified;
  }
  throw new Error(`the ${notifiedKey} annotation of ${name} never got ${keys.join(', ')}`);
};
const settled = () => waitForSettled(nats.url, [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`]);

interface StoredMessage {
  stream: string;
  /** Headers and payload, as text: what anyone reading the bus could see. */
  text: string;
  event: () => { type: string; data: Record<string, unknown> };
}

/** Every message in every stream. */
async function everythingOnTheBus(): Promise<StoredMessage[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const out: StoredMessage[] = [];
    for await (const info of jsm.streams.list()) {
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(info.config.name, { seq }).catch(() => null);
        if (!m) continue;
        const headers = m.header ? Object.fromEntries(m.header.keys().map((k) => [k, m.header.get(k)])) : {};
        const body = m.string();
        out.push({ stream: info.config.name, text: `${JSON.stringify(headers)} ${body}`, event: () => JSON.parse(body) as ReturnType<StoredMessage['event']> });
      }
    }
    return out;
  } finally {
    await nc.close();
  }
}
const deadLetters = async () => (await everythingOnTheBus()).filter((m) => m.stream === `${prefix}_DEAD_LETTERS`).map((m) => m.event());

describe('a sink written in Python (nats-py) delivers next to the TypeScript webhook sink', () => {
  it('the reference scenario: both deliver once, the Python sink with its service options and $secret, and the notified annotation records both', async () => {
    await python();
    const name = 'webhook-5bd87bd4f-w7m46';
    await running(name);

    const [hook] = await webhook.waitFor(1, (r) => r.body === `Pod ${name} is ready!\n`);
    expect(hook).toMatchObject({ method: 'GET', path: '/webhook/' });
    const [delivered] = await endpoint.waitFor(1, forPod(name));
    expect(JSON.parse(delivered!.body)).toMatchObject({ message: `Pod ${name} is ready!\n`, recipient: '', trigger: 'on-pod-ready', object: { kind: 'Pod', namespace, name } });
    // The $secret reached the endpoint: resolved by the sink from where the Secret is mounted.
    expect(delivered!.headers.authorization).toBe(`Bearer ${token}`);
    expect(delivered!.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]+:\d+$/);

    const notified = await waitForNotified(name, [stateKey('webhook'), stateKey('python')]);
    expect(Object.keys(notified).sort()).toEqual([stateKey('python'), stateKey('webhook')]);
    await settled();
    expect(endpoint.requests.filter(forPod(name))).toHaveLength(1);

    // The notification carried the options with the reference, and nothing anywhere on the bus the value.
    const bus = await everythingOnTheBus();
    const notification = bus.find((m) => m.stream === `${prefix}_NOTIFICATIONS` && m.text.includes('"serviceType":"python"'))!.event();
    expect(notification.data.destination).toEqual({
      serviceType: 'python',
      service: 'python',
      recipient: '',
      options: { url: `${endpoint.url}/python`, headers: [{ name: 'Authorization', value: 'Bearer $python-token' }] },
      secretRefs: { 'python-token': { name: 'herald-notifications-secret', namespace, key: 'python-token' } },
    });
    expect(bus.filter((m) => m.text.includes(token)).map((m) => m.stream)).toEqual([]);
    expect(await deadLetters()).toEqual([]);
  });

  it('a Python sink killed mid-delivery loses nothing: the restarted one gets the notification again, and the endpoint that dedups by key accepts it once', async () => {
    const [first] = pythons;
    const name = 'web-killed';
    const held = endpoint.holdNext(forPod(name));
    await running(name);
    // The sink received the notification and is sending it: it dies before it could publish a result or ack.
    const request = await held.arrived;
    await first!.kill();
    held.release();
    expect(await core.readNamespacedPod({ name, namespace }).then((p) => p.metadata?.annotations?.[notifiedKey] ?? '')).not.toContain(':python:');

    await python();
    const both = await endpoint.waitFor(2, forPod(name));
    expect(both.map((r) => r.headers['idempotency-key'])).toEqual([request.headers['idempotency-key'], request.headers['idempotency-key']]);
    await waitForNotified(name, [stateKey('webhook'), stateKey('python')]);
    await settled();
    // What the endpoint's user sees: the notification once.
    expect(endpoint.accepted().filter(forPod(name))).toHaveLength(1);
    expect(endpoint.requests.filter(forPod(name))).toHaveLength(2);
    expect(webhook.requests.filter((r) => r.body === `Pod ${name} is ready!\n`)).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
  });

  it('what the endpoint refuses for good is dead-lettered with the reason, and its claim given back (not recorded as notified)', async () => {
    const name = 'web-gone';
    await core.createNamespacedPod({ namespace, body: { ...pod(name), metadata: { name, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.gone': '' } } } });
    await core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch);
    await endpoint.waitFor(1, (r) => r.path === '/gone');
    await settled();
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ type: 'io.herald.dead-letter.v1', data: { code: 'HTTP_410', consumer: 'herald-sink-python', deliveryCount: 1, reason: `${endpoint.url}/gone answered 410`, original: { stream: `${prefix}_NOTIFICATIONS`, encoding: 'utf8' } } });
    expect((await core.readNamespacedPod({ name, namespace })).metadata?.annotations?.[notifiedKey]).toBeUndefined();
    // An operator sees it with Herald's own tool.
    const dlq = async (...args: string[]) => JSON.parse((await promisify(execFile)(process.execPath, ['--conditions=herald-source', cli, 'dlq', ...args, '-c', herald!.configPath, '-o', 'json'])).stdout) as unknown;
    expect(await dlq('list')).toMatchObject([{ code: 'HTTP_410', reason: `${endpoint.url}/gone answered 410` }]);
    // And sends it again once the cause is fixed (here it is not: the endpoint refuses it again, a new letter).
    expect(await dlq('retry', '--all')).toMatchObject({ retried: 1 });
    await endpoint.waitFor(2, (r) => r.path === '/gone');
    await settled();
    expect(await deadLetters()).toMatchObject([{ data: { code: 'HTTP_410', consumer: 'herald-sink-python' } }]);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    expect(await pythons.at(-1)!.stop()).toBe(0);
  });
});
