import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeClient } from '@herald/core-kube';
import type { KvStore } from '@herald/core-bus';
import type { ObjectRef } from '@herald/plugin-sdk';
import { encodeClaim, encodeMarker, OBJECT_MARKER_KEY, type Claim } from './claim-codec.ts';
import { AnnotationMirror, changesAnnotation } from './annotation-mirror.ts';
import { DedupErrorCodes } from './errors.ts';
import { memoryKvStore } from './testing/memory-kv-store.ts';

const ref: ObjectRef = { group: 'argoproj.io', version: 'v1alpha1', resource: 'applications', kind: 'Application', namespace: 'argocd', name: 'guestbook', uid: 'u-1' };

/** A kube client that records patches and answers them with `answer` (undefined: accepted). */
function kube(answer: (call: number) => Error | undefined = () => undefined, during?: () => Promise<void>) {
  const patches: { path: string; body: unknown }[] = [];
  const client = {
    server: 'https://kube.test',
    async patch(path: string, body: unknown) {
      patches.push({ path, body });
      await during?.();
      const err = answer(patches.length);
      if (err) throw err;
      return {};
    },
  } as unknown as KubeClient;
  return { client, patches };
}

function logger() {
  const warnings: string[] = [];
  const log = { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (_: unknown, msg: string) => void warnings.push(msg), child: () => log };
  return { log: log as never, warnings };
}

async function seeded(claims: Record<string, Claim>, marker = true) {
  const kv = memoryKvStore();
  if (marker) await kv.create(ref.uid, OBJECT_MARKER_KEY, encodeMarker({ ref }));
  for (const [k, c] of Object.entries(claims)) await kv.create(ref.uid, k, encodeClaim(c));
  return kv;
}

describe('the notified annotation mirror', () => {
  it('writes sent and adopted claims in Argo\'s format with the UID as a precondition; pending ones wait for their result', async () => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'sent', at: 100 }, 'b:[0].y:slack:ops': { status: 'adopted', at: 50 }, 'c:[0].z:webhook:': { status: 'pending', at: 200, event: 'e' } });
    const { client, patches } = kube();
    const mirror = new AnnotationMirror({ kv, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 });
    await mirror.sync(ref.uid);
    expect(patches).toEqual([
      {
        path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook',
        body: { metadata: { uid: 'u-1', annotations: { 'notified.notifications.argoproj.io': '{"a:[0].x:webhook:":100,"b:[0].y:slack:ops":50}' } } },
      },
    ]);
  });

  it('removes the annotation when no claim is left', async () => {
    const kv = await seeded({});
    const { client, patches } = kube();
    await new AnnotationMirror({ kv, kube: client, logger: logger().log, annotationPrefix: 'example.com', coalesceMs: 0 }).sync(ref.uid);
    expect(patches.map((p) => p.body)).toEqual([{ metadata: { uid: 'u-1', annotations: { 'notified.example.com': null } } }]);
  });

  it('leaves objects no evaluator has seen (no marker) alone', async () => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'sent', at: 100 } }, false);
    const { client, patches } = kube();
    await new AnnotationMirror({ kv, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 }).sync(ref.uid);
    expect(patches).toEqual([]);
  });

  it.each([404, 409])('purges the claims of an object that is gone (%i)', async (status) => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'sent', at: 100 } });
    const { client } = kube(() => new KubeApiError(status, 'gone'));
    await new AnnotationMirror({ kv, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 }).sync(ref.uid);
    expect(await kv.entries(ref.uid)).toEqual(new Map());
  });

  it('without patch permission warns once per resource and keeps the claims', async () => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'sent', at: 100 } });
    const { client } = kube(() => new KubeApiError(403, 'forbidden'));
    const { log, warnings } = logger();
    const mirror = new AnnotationMirror({ kv, kube: client, logger: log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 });
    await mirror.sync(ref.uid);
    await mirror.sync(ref.uid);
    expect(warnings).toEqual(['cannot write the notified.notifications.argoproj.io annotation: Herald needs patch on applications.argoproj.io; notifications are still deduplicated']);
    expect([...(await kv.entries(ref.uid)).keys()]).toContain('a:[0].x:webhook:');
  });

  it('writes again when the claims changed while it wrote, and gives up with a retryable coded error if they keep changing', async () => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'sent', at: 100 } });
    let n = 0;
    const { client, patches } = kube(undefined, async () => void (await kv.put(ref.uid, 'a:[0].x:webhook:', encodeClaim({ status: 'sent', at: 100 + ++n }))));
    const mirror = new AnnotationMirror({ kv, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 });
    await expect(mirror.sync(ref.uid)).rejects.toMatchObject({ code: DedupErrorCodes.mirrorUnsettled, retryable: true });
    expect(patches).toHaveLength(3);
  });

  it('a write that raced one change is followed by one that matches the claims', async () => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'sent', at: 100 } });
    let raced = false;
    const { client, patches } = kube(undefined, async () => {
      if (raced) return;
      raced = true;
      await kv.put(ref.uid, 'a:[0].x:webhook:', encodeClaim({ status: 'sent', at: 101 }));
    });
    await new AnnotationMirror({ kv, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 }).sync(ref.uid);
    expect(patches.map((p) => (p.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations['notified.notifications.argoproj.io'])).toEqual([
      '{"a:[0].x:webhook:":100}',
      '{"a:[0].x:webhook:":101}',
    ]);
  });

  it('writes from a read that has the change it reacts to, though the copy answering first is behind (a cluster member back from a partition)', async () => {
    const kv = await seeded({ 'a:[0].x:webhook:': { status: 'pending', at: 100, event: 'e' } });
    // The copy answering group reads stopped here: the claim still pending.
    const behind = await kv.entries(ref.uid);
    const behindRevision = Math.max(...[...behind.values()].map((e) => e.revision));
    const settled = await kv.update(ref.uid, 'a:[0].x:webhook:', encodeClaim({ status: 'sent', at: 100 }), behindRevision);
    const floors: (number | undefined)[] = [];
    const lagging: KvStore = {
      ...kv,
      async entries(group, options) {
        floors.push(options?.atLeast);
        // What a lagging replica does: answers its old copy unless asked for something newer than it has.
        return (options?.atLeast ?? 0) > behindRevision ? kv.entries(group) : new Map(behind);
      },
    };
    const { client, patches } = kube();
    await new AnnotationMirror({ kv: lagging, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 }).sync(ref.uid, settled);
    expect(patches.map((p) => (p.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations['notified.notifications.argoproj.io'])).toEqual(['{"a:[0].x:webhook:":100}']);
    // The check after the write asks for nothing older than what was written.
    expect(floors).toEqual([settled, settled]);
  });

  it('a patch from a read of a copy that is behind, landing after a newer one, is written again (the check after a write reads current claims)', async () => {
    const kv = await seeded({});
    const claimKey = 'a:[0].x:webhook:';
    // The claim of the round before, released: the copy answering group reads stopped here.
    const released = await kv.put(ref.uid, claimKey, encodeClaim({ status: 'sent', at: 90 }));
    await kv.delete(ref.uid, claimKey);
    const behind = await kv.entries(ref.uid);
    const sent = await kv.put(ref.uid, claimKey, encodeClaim({ status: 'sent', at: 100 }));
    const lagging: KvStore = {
      ...kv,
      // A server back on its store after a kill: answers its old copy unless asked for something newer than
      // it has, or for a current read (the leader's).
      entries: async (group, options) => (options?.current || (options?.atLeast ?? 0) > released ? kv.entries(group) : new Map(behind)),
    };
    const { client, patches } = kube();
    const options = { kv: lagging, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 0 };
    // Two state processes: one mirrors the claim sent, then the other mirrors the release before it.
    await new AnnotationMirror(options).sync(ref.uid, sent);
    await new AnnotationMirror(options).sync(ref.uid, released);
    const annotations = patches.map((p) => (p.body as { metadata: { annotations: Record<string, string | null> } }).metadata.annotations['notified.notifications.argoproj.io']);
    expect(annotations).toEqual(['{"a:[0].x:webhook:":100}', null, '{"a:[0].x:webhook:":100}']);
  });

  it('coalesced changes are written from a read that has the newest of them', async () => {
    const kv = await seeded({});
    const floors: (number | undefined)[] = [];
    const recording: KvStore = { ...kv, entries: async (group, options) => (floors.push(options?.atLeast), kv.entries(group)) };
    const { client } = kube();
    const mirror = new AnnotationMirror({ kv: recording, kube: client, logger: logger().log, annotationPrefix: 'notifications.argoproj.io', coalesceMs: 5 });
    await Promise.all([mirror.sync(ref.uid, 7), mirror.sync(ref.uid, 9), mirror.sync(ref.uid, 8)]);
    expect(floors[0]).toBe(9);
  });
});

describe('which changes of the claims the annotation follows', () => {
  it.each([
    ['a pending claim made: not (pending claims are not in the annotation)', { key: 'a:[0].x:webhook:', value: encodeClaim({ status: 'pending', at: 1, event: 'e1', rv: '10' }) }, false],
    ['a claim settled as sent', { key: 'a:[0].x:webhook:', value: encodeClaim({ status: 'sent', at: 1, rv: '10' }) }, true],
    ['a claim adopted from Argo', { key: 'a:[0].x:webhook:', value: encodeClaim({ status: 'adopted', at: 1 }) }, true],
    ['a claim released (deleted)', { key: 'a:[0].x:webhook:', value: undefined }, true],
    ['an unreadable claim (it reads as sent)', { key: 'a:[0].x:webhook:', value: 'not json' }, true],
    ['the object marker written', { key: OBJECT_MARKER_KEY, value: encodeMarker({ ref }) }, true],
    ['the marker of an object that had no annotation when first seen: not (nothing of it to write)', { key: OBJECT_MARKER_KEY, value: encodeMarker({ ref, unannotated: true }) }, false],
    ['that marker\'s watermark raised: not', { key: OBJECT_MARKER_KEY, value: encodeMarker({ ref, released: '20', unannotated: true }) }, false],
    ['an unreadable marker', { key: OBJECT_MARKER_KEY, value: 'not json' }, true],
    ['the marker deleted (the object\'s state purged)', { key: OBJECT_MARKER_KEY, value: undefined }, true],
  ] as const)('%s', (_, change, expected) => {
    expect(changesAnnotation(change)).toBe(expected);
  });
});
