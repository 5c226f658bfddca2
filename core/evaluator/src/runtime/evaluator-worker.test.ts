import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BusPublisher, BusSubscriber, Delivery, DeliveryHandler, NotificationData, ResourceEventData, StateEntry, StateStore } from '@herald/plugin-sdk';
import { readConfigMapYaml } from '@herald/core-notification-config';
import { parseNotificationConfig } from '../config/parse-notification-config.ts';
import { decodeClaim, decodeMarker, OBJECT_MARKER_KEY, olderVersion } from '../dedup/claim.ts';
import { startEvaluatorWorker } from './evaluator-worker.ts';

const seed = readConfigMapYaml(readFileSync(new URL('../../../../test/fixtures/reference-scenario.yaml', import.meta.url), 'utf8'), 'seed');
const config = parseNotificationConfig(seed).config!;
const stateKey = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';
const ref = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1' };

/** A state bucket in memory with the compare-and-set semantics of the KV one. */
function memoryState(): StateStore & { raw: Map<string, StateEntry> } {
  const raw = new Map<string, StateEntry>();
  let revision = 0;
  const id = (uid: string, key: string) => `${uid}/${key}`;
  return {
    raw,
    get: async (uid, key) => raw.get(id(uid, key)),
    async create(uid, key, value) {
      if (raw.has(id(uid, key))) return undefined;
      raw.set(id(uid, key), { value, revision: ++revision });
      return revision;
    },
    async update(uid, key, value, expected) {
      if (raw.get(id(uid, key))?.revision !== expected) return undefined;
      raw.set(id(uid, key), { value, revision: ++revision });
      return revision;
    },
    async delete(uid, key, expected) {
      if (expected !== undefined && raw.get(id(uid, key))?.revision !== expected) return false;
      return raw.delete(id(uid, key));
    },
    async entries(uid) {
      return new Map([...raw].filter(([k]) => k.startsWith(`${uid}/`)).map(([k, v]) => [k.slice(uid.length + 1), v]));
    },
  };
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => silent } as never;

async function worker() {
  const state = memoryState();
  const sent: NotificationData[] = [];
  let handler: DeliveryHandler<ResourceEventData> | undefined;
  const subscriber: BusSubscriber = {
    subscribe: async (_channel, _options, h) => {
      handler = h as DeliveryHandler<ResourceEventData>;
      return { stop: async () => undefined };
    },
  };
  const publisher = { notification: async (n: NotificationData) => void sent.push(n) } as unknown as BusPublisher;
  await startEvaluatorWorker({ subscriber, publisher, state, logger: silent, config: () => config, annotationPrefix: 'notifications.argoproj.io', variables: {} });
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
  const get = state.get.bind(state);
  state.get = async (uid, key) => {
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
    await state.update('u-1', stateKey, JSON.stringify({ ...decodeClaim(entry.value), status: 'sent' }), entry.revision);
  };
  const onNextClaimRead = (hook: () => Promise<void>) => (afterClaimRead = hook);
  const claim = () => {
    const entry = state.raw.get(`u-1/${stateKey}`);
    return entry && decodeClaim(entry.value);
  };
  const marker = () => decodeMarker(state.raw.get(`u-1/${OBJECT_MARKER_KEY}`)!.value);
  return { deliver, sent, claim, marker, settle, onNextClaimRead };
}

describe('evaluator worker: claims under redelivery and concurrent settling', () => {
  it('a Running evaluated again after the Pending that followed it sends nothing', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e2', 'Pending', '20');
    expect(w.marker()?.released).toBe('20');
    await w.deliver('e1', 'Running', '10');
    expect(w.sent.map((n) => (n.rendered.webhook as { webhook: { body: string } }).webhook.body.trim())).toEqual(['Pod web-1 is ready!']);
    expect(w.claim()).toBeUndefined();
    // A newer Running is a new edge and fires.
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(2);
    expect(w.claim()).toMatchObject({ status: 'pending', event: 'e3', rv: '30' });
  });

  it('a Pending evaluated again after the Running that followed it does not release that Running\'s claim', async () => {
    const w = await worker();
    await w.deliver('e1', 'Pending', '10');
    await w.deliver('e2', 'Running', '20');
    await w.deliver('e1', 'Pending', '10');
    expect(w.claim()).toMatchObject({ event: 'e2', rv: '20' });
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
    expect(w.claim()).toBeUndefined();
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

describe('olderVersion: resourceVersions compared as the decimal integers they are', () => {
  it.each([
    ['9', '10', true],
    ['10', '9', false],
    ['10', '10', false],
    ['123456789012345678901', '123456789012345678902', true],
    ['0', '5', false],
    ['007', '8', false],
    ['abc', '5', false],
    [undefined, '5', false],
    ['5', undefined, false],
  ])('%s older than %s: %s', (a, b, older) => {
    expect(olderVersion(a, b)).toBe(older);
  });
});
