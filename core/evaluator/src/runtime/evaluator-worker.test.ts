import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dedup } from '@herald/core-dedup';
import { memoryKvStore } from '@herald/core-dedup/testing';
import type { BusPublisher, BusSubscriber, Delivery, DeliveryHandler, NotificationData, ResourceEventData } from '@herald/plugin-sdk';
import { readConfigMapYaml } from '@herald/core-notification-config';
import { parseNotificationConfig } from '../config/parse-notification-config.ts';
import { startEvaluatorWorker } from './evaluator-worker.ts';

const seed = readConfigMapYaml(readFileSync(new URL('../../../../test/fixtures/reference-scenario.yaml', import.meta.url), 'utf8'), 'seed');
const config = parseNotificationConfig(seed).config!;
const stateKey = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';
const ref = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1' };

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => silent } as never;

async function worker() {
  const kv = memoryKvStore();
  const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io' });
  const sent: NotificationData[] = [];
  let handler: DeliveryHandler<ResourceEventData> | undefined;
  const subscriber: BusSubscriber = {
    subscribe: async (_channel, _options, h) => {
      handler = h as DeliveryHandler<ResourceEventData>;
      return { stop: async () => undefined };
    },
  };
  const publisher = { notification: async (n: NotificationData) => void sent.push(n) } as unknown as BusPublisher;
  await startEvaluatorWorker({ subscriber, publisher, dedup, logger: silent, config: () => config, annotationPrefix: 'notifications.argoproj.io', variables: {} });
  /** Hands the worker the Pod's state `phase` at `rv`, as event `id` (a redelivery reuses the id). */
  const deliver = (id: string, phase: string, rv: string) => {
    const object = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', resourceVersion: rv, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' } },
      status: { phase },
    };
    const delivery: Delivery<ResourceEventData> = {
      event: { specversion: '1.0', id, source: 'test', type: 'io.herald.resource.v1', time: new Date(0).toISOString(), datacontenttype: 'application/json', data: { action: 'MODIFIED', ref, resourceVersion: rv, object } },
      subject: 'herald.events.0',
      deliveryCount: 1,
      traceparent: undefined,
      headers: {},
    };
    return handler!(delivery);
  };
  let afterClaimRead: (() => Promise<void>) | undefined;
  const get = kv.get.bind(kv);
  kv.get = async (uid, key) => {
    const entry = await get(uid, key);
    if (key === stateKey && afterClaimRead) {
      const hook = afterClaimRead;
      afterClaimRead = undefined;
      await hook();
    }
    return entry;
  };
  /** What the state role does with a successful result: the claim becomes `sent`. */
  const settle = async () => {
    const entry = (await get('u-1', stateKey))!;
    const outcome = await dedup.settle({ ref, stateKey, claimRevision: entry.revision, succeeded: true, attempts: 1, idempotencyKey: 'k', trigger: 'on-pod-ready', destination: { serviceType: 'webhook', service: 'webhook', recipient: '' } });
    expect(outcome).toBe('sent');
  };
  const onNextClaimRead = (hook: () => Promise<void>) => (afterClaimRead = hook);
  const claim = () => dedup.read('u-1', stateKey);
  return { deliver, sent, claim, settle, onNextClaimRead };
}

describe('evaluator worker: plan, claim, render, publish under redelivery and concurrent settling', () => {
  it('a Running evaluated again after the Pending that followed it sends nothing', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e2', 'Pending', '20');
    await w.deliver('e1', 'Running', '10');
    expect(w.sent.map((n) => (n.rendered.webhook as { webhook: { body: string } }).webhook.body.trim())).toEqual(['Pod web-1 is ready!']);
    expect(await w.claim()).toBeUndefined();
    // A newer Running is a new edge and fires.
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(2);
    expect(await w.claim()).toMatchObject({ status: 'pending', event: 'e3', rv: '30' });
  });

  it('a Pending evaluated again after the Running that followed it does not release that Running\'s claim', async () => {
    const w = await worker();
    await w.deliver('e1', 'Pending', '10');
    await w.deliver('e2', 'Running', '20');
    await w.deliver('e1', 'Pending', '10');
    expect(await w.claim()).toMatchObject({ event: 'e2', rv: '20' });
    // Still Running, later: the claim holds, nothing is sent again.
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(1);
  });

  it('a claim settled by the state role while a Pending releases it is still released (the next Running fires)', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    // The sink's result arrives while the evaluator reads the claim to release it: pending → sent.
    w.onNextClaimRead(() => w.settle());
    await w.deliver('e2', 'Pending', '20');
    expect(await w.claim()).toBeUndefined();
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(2);
  });

  it('a redelivery of the event that made a claim still publishes it again (the bus drops the copy)', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e1', 'Running', '10');
    expect(w.sent.map((n) => n.claimRevision)).toEqual([w.sent[0]!.claimRevision, w.sent[0]!.claimRevision]);
  });

  it('versions that are not decimal integers are never called older: events are evaluated as they come', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', 'b');
    await w.deliver('e2', 'Pending', 'c');
    await w.deliver('e3', 'Running', 'a');
    expect(w.sent).toHaveLength(2);
  });
});
