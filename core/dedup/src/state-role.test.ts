import { describe, expect, it } from 'vitest';
import type { KvStore } from '@herald/core-bus';
import type { KubeClient } from '@herald/core-kube';
import type { BusSubscriber, DeliveryResultData, ObjectRef, Subscription } from '@herald/plugin-sdk';
import type { ClaimChange } from './annotation-mirror.ts';
import { Dedup } from './dedup.ts';
import { startStateRole } from './state-role.ts';
import { memoryKvStore } from './testing/memory-kv-store.ts';

const annotation = 'notified.notifications.argoproj.io';
const key = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';
const pod = (name: string): ObjectRef => ({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
const silent = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent } as never;

/**
 * The state role on a state bucket in memory whose every write is a change handed to the mirror's consumer
 * when the test says (`changes()`, in order, each awaited as the consumer does), and an apiserver that records
 * the patches it gets and answers each with the object patched.
 */
async function stateRole() {
  const kv = memoryKvStore();
  const queued: [string, number, ClaimChange][] = [];
  const recording: KvStore = {
    ...kv,
    async create(group, k, value, deletedAt) {
      const revision = await kv.create(group, k, value, deletedAt);
      if (revision !== undefined) queued.push([group, revision, { key: k, value }]);
      return revision;
    },
    async update(group, k, value, expected) {
      const revision = await kv.update(group, k, value, expected);
      if (revision !== undefined) queued.push([group, revision, { key: k, value }]);
      return revision;
    },
    async delete(group, k, expected) {
      const deleted = await kv.delete(group, k, expected);
      if (deleted) queued.push([group, 0, { key: k, value: undefined }]);
      return deleted;
    },
  };
  const patches: { path: string; annotations: Record<string, string | null> }[] = [];
  const kube = {
    server: 'https://kube.test',
    async patch(path: string, body: { metadata: { annotations: Record<string, string | null> } }) {
      patches.push({ path, annotations: body.metadata.annotations });
      return body;
    },
    async get() {
      throw new Error('unused: the evaluator side reads no live annotation here');
    },
  } as unknown as KubeClient;
  let mirror: ((uid: string, revision: number, change?: ClaimChange) => Promise<void>) | undefined;
  let settle: ((result: DeliveryResultData) => Promise<void>) | undefined;
  const subscriber = {
    async subscribe(_channel: string, _options: unknown, handler: (d: { event: { data: DeliveryResultData } }) => Promise<void>): Promise<Subscription> {
      settle = (data) => handler({ event: { data } });
      return { stop: async () => undefined };
    },
  } as unknown as BusSubscriber;
  const role = await startStateRole({
    subscriber,
    kv: recording,
    logger: silent,
    stateChanges: async (_durable, handler) => ((mirror = handler), { stop: async () => undefined }),
    kube,
    annotationPrefix: 'notifications.argoproj.io',
    coalesceMs: 0,
  });
  return {
    dedup: new Dedup({ kv: recording, annotationPrefix: 'notifications.argoproj.io' }),
    patches,
    settle: (result: DeliveryResultData) => settle!(result),
    /** Hands every change made so far to the mirror's consumer, one after the other. */
    async changes() {
      for (const [uid, revision, change] of queued.splice(0)) await mirror!(uid, revision, change);
    },
    stop: () => role.stop(),
  };
}

describe('the state role mirrors what an object shows', () => {
  it('an object seen for the first time without the annotation costs no patch; its first notification writes it, its release removes it', async () => {
    const role = await stateRole();
    try {
      const { claims } = await role.dedup.adopt(pod('web-1'), { metadata: { annotations: {} } });
      await role.changes();
      expect(role.patches).toEqual([]);

      const claimed = await claims.claim(key, { rv: '10', eventId: 'e1' });
      if (claimed.outcome !== 'claimed') throw new Error(claimed.outcome);
      await role.changes();
      expect(role.patches).toEqual([]);

      const ref = pod('web-1');
      await role.settle({ idempotencyKey: 'k', claimRevision: claimed.revision, claim: claimed.claim, stateKey: key, trigger: 'on-pod-ready', destination: { serviceType: 'webhook', service: 'webhook', recipient: '' }, ref, succeeded: true, attempts: 1 });
      await role.changes();
      expect(role.patches).toEqual([{ path: '/api/v1/namespaces/default/pods/web-1', annotations: { [annotation]: `{"${key}":${claimed.claim.at}}` } }]);

      // The condition turned false: the claim goes, and so does what the annotation showed of it.
      const later = await role.dedup.adopt(ref, {});
      expect(await later.claims.release(key, '20')).toEqual({ outcome: 'released' });
      await role.changes();
      expect(role.patches.slice(1)).toEqual([{ path: '/api/v1/namespaces/default/pods/web-1', annotations: { [annotation]: null } }]);
    } finally {
      await role.stop();
    }
  });

  it.each([
    ['with Argo\'s keys: rewritten in Argo\'s format', '{ "a:[0].x:webhook:" : 1645078598 }', '{"a:[0].x:webhook:":1645078598}'],
    ['unreadable: removed, as no claim is left to show', 'not json', null],
    ['empty: removed', '', null],
  ])('an object seen for the first time with the annotation %s', async (_, value, written) => {
    const role = await stateRole();
    try {
      await role.dedup.adopt(pod('argo'), { metadata: { annotations: { [annotation]: value } } });
      await role.changes();
      expect(role.patches.map((p) => p.annotations)).toContainEqual({ [annotation]: written });
    } finally {
      await role.stop();
    }
  });
});
