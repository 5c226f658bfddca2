import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, startNats, testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { waitForSettled } from './support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap, seedConfigMap } from './support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const notifiedKey = 'notified.notifications.argoproj.io';
const seedStateKey = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';

let cp: ControlPlane;
let nats: NatsServer;
let receiver: WebhookReceiver;
let core: CoreV1Api;
const heralds: HeraldProcess[] = [];

beforeAll(async () => {
  [cp, nats, receiver] = await Promise.all([startControlPlane(), startNats(), startWebhookReceiver()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await Promise.all(heralds.map((h) => h.kill()));
  await Promise.all([cp?.stop(), nats?.stop(), receiver?.close()]);
});

describe('the reference scenario, end to end (real kube-apiserver, NATS, HTTP receiver; Herald as the restricted user)', () => {
  let namespace: string;
  const prefix = 'SEED';
  const streams = [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`];
  const settled = () => waitForSettled(nats.url, streams);
  const herald = async () => {
    const h = await startHerald(
      {
        nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
        notifications: { namespace },
        plugins: [
          { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
          { name: '@herald/sink-webhook' },
        ],
      },
      { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
    );
    heralds.push(h);
    return h;
  };
  const pod = (name: string): V1Pod => ({
    metadata: { name, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' } },
    spec: { containers: [{ name: 'webhook', image: 'webhook' }] },
  });
  const setPhase = (name: string, phase: string) => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase } } }, mergePatch);
  const notified = async (name: string) => {
    const value = (await core.readNamespacedPod({ name, namespace })).metadata?.annotations?.[notifiedKey];
    return value === undefined ? undefined : (JSON.parse(value) as Record<string, number>);
  };
  const waitForNotified = async (name: string, present: boolean) => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await delay(100)) {
      const value = await notified(name);
      if ((value?.[seedStateKey] !== undefined) === present) return value;
    }
    throw new Error(`the ${notifiedKey} annotation of ${name} never ${present ? 'got' : 'lost'} ${seedStateKey}`);
  };
  const forPod = (name: string) => (r: { body: string }) => r.body === `Pod ${name} is ready!\n`;

  beforeAll(async () => {
    namespace = await cp.createNamespace('seed');
    await applyHeraldRbac(cp, namespace);
    await createConfigMap(cp, seedConfigMap(namespace, 'herald-notifications-cm', receiver.url));
  });

  it('sends "Pod <name> is ready!" once when the Pod runs, and records it in Argo\'s notified annotation', async () => {
    await herald();
    const name = 'webhook-5bd87bd4f-w7m46';
    await core.createNamespacedPod({ namespace, body: pod(name) });
    await settled();
    expect(receiver.requests.filter(forPod(name))).toEqual([]);

    const before = Math.floor(Date.now() / 1000);
    await setPhase(name, 'Running');
    const [request] = await receiver.waitFor(1, forPod(name));
    expect(request).toMatchObject({ method: 'GET', path: '/webhook/', body: `Pod ${name} is ready!\n` });
    expect(request!.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]+:\d+$/);

    const annotation = await waitForNotified(name, true);
    expect(Object.keys(annotation!)).toEqual([seedStateKey]);
    expect(annotation![seedStateKey]).toBeGreaterThanOrEqual(before - 1);
    expect(annotation![seedStateKey]).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('sends nothing more on later changes, across a restart, or with a second Herald beside it; fires again after false → true', async () => {
    const name = 'web-2';
    await core.createNamespacedPod({ namespace, body: pod(name) });
    await setPhase(name, 'Running');
    await receiver.waitFor(1, forPod(name));
    await waitForNotified(name, true);

    for (const value of ['a', 'b']) await core.patchNamespacedPod({ name, namespace, body: { metadata: { labels: { touched: value } } } }, mergePatch);
    await settled();
    expect(receiver.requests.filter(forPod(name))).toHaveLength(1);

    // Restart: the running Herald stops cleanly and a new one takes over its durable consumers.
    expect(await heralds.shift()!.stop()).toBe(0);
    await herald();
    await core.patchNamespacedPod({ name, namespace, body: { metadata: { labels: { touched: 'c' } } } }, mergePatch);
    await settled();
    expect(receiver.requests.filter(forPod(name))).toHaveLength(1);

    // A second complete Herald beside the first: they share the work, and still nothing is sent twice.
    await herald();
    for (const value of ['d', 'e', 'f']) await core.patchNamespacedPod({ name, namespace, body: { metadata: { labels: { touched: value } } } }, mergePatch);
    await settled();
    expect(receiver.requests.filter(forPod(name))).toHaveLength(1);

    // The condition turns false: the claim is cleared (and the annotation with it); true again fires again.
    await setPhase(name, 'Pending');
    await waitForNotified(name, false);
    await setPhase(name, 'Running');
    const both = await receiver.waitFor(2, forPod(name));
    await settled();
    expect(receiver.requests.filter(forPod(name))).toHaveLength(2);
    expect(both[0]!.headers['idempotency-key']).not.toBe(both[1]!.headers['idempotency-key']);
    await waitForNotified(name, true);
  });
});
