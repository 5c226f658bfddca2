import { describe, expect, it, vi } from 'vitest';
import type { KvStore } from '@herald/core-bus';
import { KubeApiError, type KubeClient } from '@herald/core-kube';
import type { DeliveryResultData, NotificationData, ObjectRef } from '@herald/plugin-sdk';
import { decodeMarker, encodeClaim, encodeMarker, OBJECT_MARKER_KEY, type Claim } from './claim-codec.ts';
import { Dedup } from './dedup.ts';
import { memoryKvStore } from './testing/memory-kv-store.ts';

const ref: ObjectRef = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1' };
const key = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';
const NOW = 1_700_000_000_000;

function setup(claims: Record<string, Claim | string> = {}, marker?: { released?: string }) {
  const kv = memoryKvStore();
  const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io', clock: { now: () => new Date(NOW) } });
  const seed = async () => {
    if (marker) await kv.create(ref.uid, OBJECT_MARKER_KEY, encodeMarker({ ref, ...marker }));
    for (const [k, c] of Object.entries(claims)) await kv.create(ref.uid, k, typeof c === 'string' ? c : encodeClaim(c));
  };
  const markerNow = () => decodeMarker(kv.raw.get(`${ref.uid}/${OBJECT_MARKER_KEY}`)!.value);
  return { kv, dedup, seed, markerNow };
}

/** Counts the store's reads from now on (single keys and groups). */
function countReads(kv: KvStore): () => number {
  let reads = 0;
  const get = kv.get.bind(kv);
  const entries = kv.entries.bind(kv);
  const readGroup = kv.readGroup.bind(kv);
  kv.get = (group, k) => (reads++, get(group, k));
  kv.entries = (group, options) => (reads++, entries(group, options));
  kv.readGroup = (group, options) => (reads++, readGroup(group, options));
  return () => reads;
}

function result(claimRevision: number, succeeded: boolean): DeliveryResultData {
  return { idempotencyKey: 'k', claimRevision, stateKey: key, trigger: 'on-pod-ready', destination: { serviceType: 'webhook', service: 'webhook', recipient: '' }, ref, succeeded, attempts: 1 };
}

describe('claim: which state of the object may send', () => {
  it.each([
    ['no claim: claimed, pending, by this event and state', {}, undefined, { rv: '10', eventId: 'e1' }, 'claimed', { status: 'pending', at: NOW / 1000, event: 'e1', rv: '10' }],
    ['no claim, the state is older than one that released a claim: stale', {}, { released: '20' }, { rv: '10', eventId: 'e1' }, 'stale', undefined],
    ['no claim, the state is newer than the released one: claimed', {}, { released: '20' }, { rv: '30', eventId: 'e3' }, 'claimed', { status: 'pending', event: 'e3', rv: '30' }],
    ['pending, made by this very event (its handling died): claimed again', { [key]: { status: 'pending', at: 5, event: 'e1', rv: '10' } }, undefined, { rv: '10', eventId: 'e1' }, 'claimed', { status: 'pending', at: 5, event: 'e1' }],
    ['pending, made by another event: held', { [key]: { status: 'pending', at: 5, event: 'e0', rv: '9' } }, undefined, { rv: '10', eventId: 'e1' }, 'held', { event: 'e0' }],
    ['sent: held', { [key]: { status: 'sent', at: 5, rv: '9' } }, undefined, { rv: '10', eventId: 'e1' }, 'held', { status: 'sent' }],
    ['sent by this event: held (the result came already)', { [key]: { status: 'sent', at: 5, event: 'e1' } }, undefined, { rv: '10', eventId: 'e1' }, 'held', { status: 'sent' }],
    ['adopted from Argo: held', { [key]: { status: 'adopted', at: 5 } }, undefined, { rv: '10', eventId: 'e1' }, 'held', { status: 'adopted' }],
    ['unreadable: counts as sent, held', { [key]: 'not json' }, undefined, { rv: '10', eventId: 'e1' }, 'held', { status: 'sent', at: 0 }],
  ] as const)('%s', async (_, claims, marker, origin, outcome, after) => {
    const { dedup, seed } = setup(claims as Record<string, Claim | string>, marker);
    await seed();
    const { claims: object } = await dedup.adopt(ref, {});
    const claimed = await object.claim(key, origin);
    expect(claimed.outcome).toBe(outcome);
    const now = await dedup.read(ref.uid, key);
    if (after) expect(now).toMatchObject(after);
    else expect(now).toBeUndefined();
    if (claimed.outcome === 'claimed') expect(claimed.revision).toBe(now!.revision);
    if (claimed.outcome === 'stale') expect(claimed.newer).toBe('20');
  });

  it('of two evaluators claiming the same key, one gets it', async () => {
    const { dedup } = setup();
    const [a, b] = await Promise.all([dedup.adopt(ref, {}), dedup.adopt(ref, {})]);
    const outcomes = await Promise.all([a.claims.claim(key, { rv: '10', eventId: 'e1' }), b.claims.claim(key, { rv: '10', eventId: 'e1-copy' })]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['claimed', 'held']);
  });
});

describe('reads: one per object and event', () => {
  it('an object seen before: its marker and claims in one read, then only the writes a claim and a release need', async () => {
    const { kv, dedup, seed } = setup({ other: { status: 'sent', at: 1, rv: '5' } }, {});
    await seed();
    const reads = countReads(kv);
    const { claims } = await dedup.adopt(ref, {});
    expect((await claims.claim(key, { rv: '10', eventId: 'e1' })).outcome).toBe('claimed');
    expect((await claims.release('other', '10')).outcome).toBe('released');
    expect((await claims.claim(key, { rv: '10', eventId: 'e1' })).outcome).toBe('claimed');
    expect(reads()).toBe(1);
  });

  it('a claim made again after a release expects the release\'s delete: no read to find it out', async () => {
    const { kv, dedup } = setup({}, {});
    const { claims } = await dedup.adopt(ref, {});
    expect((await claims.claim(key, { rv: '10', eventId: 'e1' })).outcome).toBe('claimed');
    expect((await claims.release(key, '20')).outcome).toBe('released');
    const creates: (number | undefined)[] = [];
    const create = kv.create.bind(kv);
    kv.create = (group, k, value, deletedAt) => (creates.push(deletedAt), create(group, k, value, deletedAt));
    const next = (await dedup.adopt(ref, {})).claims;
    expect((await next.claim(key, { rv: '30', eventId: 'e3' })).outcome).toBe('claimed');
    expect(creates).toEqual([expect.any(Number)]);
  });

  it('a claim made since the read is read again and decides: another event\'s holds', async () => {
    const { kv, dedup } = setup();
    const { claims } = await dedup.adopt(ref, {});
    await kv.create(ref.uid, key, encodeClaim({ status: 'pending', at: 1, event: 'e0', rv: '9' }));
    expect((await claims.claim(key, { rv: '10', eventId: 'e1' })).outcome).toBe('held');
  });

  it('a claim made since the read by an earlier handling of this very event is claimed again', async () => {
    const { kv, dedup } = setup();
    const { claims } = await dedup.adopt(ref, {});
    const revision = await kv.create(ref.uid, key, encodeClaim({ status: 'pending', at: 1, event: 'e1', rv: '10' }));
    expect(await claims.claim(key, { rv: '10', eventId: 'e1' })).toEqual({ outcome: 'claimed', revision, claim: { at: 1, rv: '10' } });
  });
});

describe('release: a condition that turned false', () => {
  it.each([
    ['no claim: absent', {}, '20', 'absent', undefined],
    ['a claim made by an older state: released, and the watermark raised', { [key]: { status: 'sent', at: 5, rv: '10' } }, '20', 'released', '20'],
    ['an adopted claim (no state): released', { [key]: { status: 'adopted', at: 5 } }, '20', 'released', '20'],
    ['a claim made by a newer state: stale, the claim stays', { [key]: { status: 'pending', at: 5, event: 'e3', rv: '30' } }, '20', 'stale', undefined],
  ] as const)('%s', async (_, claims, rv, outcome, watermark) => {
    const { dedup, seed, markerNow } = setup(claims as Record<string, Claim>);
    await seed();
    const { claims: object } = await dedup.adopt(ref, {});
    const released = await object.release(key, rv);
    expect(released.outcome).toBe(outcome);
    expect(markerNow()?.released).toBe(watermark);
    expect(await dedup.read(ref.uid, key)).toEqual(outcome === 'stale' ? expect.objectContaining({ rv: '30' }) : undefined);
  });

  it('never lowers the watermark', async () => {
    const { dedup, seed, markerNow } = setup({ a: { status: 'sent', at: 1 }, b: { status: 'sent', at: 1 } }, { released: '30' });
    await seed();
    const { claims } = await dedup.adopt(ref, {});
    expect((await claims.release('a', '40')).outcome).toBe('released');
    expect((await claims.release('b', '35')).outcome).toBe('released');
    expect(markerNow()?.released).toBe('40');
  });

  it('releases a claim the state role settles between its read and its delete', async () => {
    const { kv, dedup } = setup();
    const { claims } = await dedup.adopt(ref, {});
    const claimed = await claims.claim(key, { rv: '10', eventId: 'e1' });
    if (claimed.outcome !== 'claimed') throw new Error('not claimed');
    // The release decides from the claim as read (pending); the result settles it before the delete.
    const remove = kv.delete.bind(kv);
    let settled = false;
    kv.delete = async (group, k, revision) => {
      if (k === key && !settled) {
        settled = true;
        expect(await dedup.settle(result(claimed.revision, true))).toBe('sent');
      }
      return remove(group, k, revision);
    };
    expect((await claims.release(key, '20')).outcome).toBe('released');
    expect(await dedup.read(ref.uid, key)).toBeUndefined();
  });

  it('raises a watermark another process changed meanwhile', async () => {
    const { kv, dedup, seed, markerNow } = setup({ [key]: { status: 'sent', at: 1, rv: '5' } });
    await seed();
    const { claims } = await dedup.adopt(ref, {});
    // Another evaluator's release moved the marker since this one read it.
    const other = (await dedup.adopt(ref, {})).claims;
    await kv.create(ref.uid, 'other', encodeClaim({ status: 'sent', at: 1 }));
    await other.release('other', '15');
    expect((await claims.release(key, '20')).outcome).toBe('released');
    expect(markerNow()?.released).toBe('20');
  });
});

describe('order: an object\'s events must be handled in the order they happened', () => {
  // Round 1's Running was claimed and sent; round 2 is Pending (rv 15), then Running (rv 20), as the fault
  // suite's Pods go. Each event is its own handling: adopt, then claim or release.
  async function round2(order: readonly ('pending' | 'running')[]) {
    const { dedup } = setup();
    const first = await (await dedup.adopt(ref, {})).claims.claim(key, { rv: '10', eventId: 'r1' });
    if (first.outcome !== 'claimed') throw new Error('round 1 was not claimed');
    expect(await dedup.settle({ ...result(first.revision, true), claim: first.claim })).toBe('sent');
    const outcomes: string[] = [];
    for (const event of order) {
      const { claims } = await dedup.adopt(ref, {});
      outcomes.push((event === 'pending' ? await claims.release(key, '15') : await claims.claim(key, { rv: '20', eventId: 'r2' })).outcome);
    }
    return { outcomes, left: (await dedup.read(ref.uid, key)) ?? null };
  }

  it('in order: the Pending releases round 1\'s claim, and the Running claims round 2', async () => {
    const { outcomes, left } = await round2(['pending', 'running']);
    expect(outcomes).toEqual(['released', 'claimed']);
    expect(left).toMatchObject({ status: 'pending', event: 'r2', rv: '20' });
  });

  // Why the evaluator keeps one event out per partition (EVENTS_OUT_PER_PARTITION): two processes holding one
  // partition at once could handle these two in either order. The release watermark does not help: it stops an
  // older state claiming after a newer one released, not an older state releasing after a newer one held.
  it('reversed, round 2 is lost: the Running holds on round 1\'s claim, then the Pending releases it', async () => {
    const { outcomes, left } = await round2(['running', 'pending']);
    expect(outcomes).toEqual(['held', 'released']);
    expect(left).toBeNull();
  });
});

describe('adopt: the first sight of an object', () => {
  const argo = (value: string) => ({ metadata: { annotations: { 'notified.notifications.argoproj.io': value } } });

  it('takes over the keys of Argo\'s annotation as claims, so they are not sent again', async () => {
    const { dedup } = setup();
    const adoption = await dedup.adopt(ref, argo(`{"${key}":1645078598}`));
    expect(adoption).toMatchObject({ adopted: 1 });
    expect(adoption.problem).toBeUndefined();
    expect(await dedup.read(ref.uid, key)).toMatchObject({ status: 'adopted', at: 1645078598 });
    expect((await adoption.claims.claim(key, { rv: '10', eventId: 'e1' })).outcome).toBe('held');
  });

  it('reads the annotation only the first time: afterwards it is Herald\'s own mirror', async () => {
    const { dedup } = setup();
    await dedup.adopt(ref, {});
    const again = await dedup.adopt(ref, argo(`{"${key}":1645078598}`));
    expect(again.adopted).toBe(0);
    expect(await dedup.read(ref.uid, key)).toBeUndefined();
  });

  it('keeps what it can read of a partly unreadable annotation, and says what was wrong', async () => {
    const { dedup } = setup();
    const adoption = await dedup.adopt(ref, argo(`{"${key}":1645078598,"other":"x"}`));
    expect(adoption).toMatchObject({ adopted: 1, problem: '1 entries without a numeric time were dropped' });
  });

  it('names the annotation after the configured prefix', async () => {
    const dedup = new Dedup({ kv: memoryKvStore(), annotationPrefix: 'example.com' });
    expect(dedup.annotation).toBe('notified.example.com');
    const adoption = await dedup.adopt(ref, { metadata: { annotations: { 'notified.example.com': `{"${key}":7}` } } });
    expect(adoption.adopted).toBe(1);
  });

  it('notes on the marker that the object had no annotation (the mirror has nothing to write for it), and keeps that through a release', async () => {
    const { dedup, markerNow } = setup();
    const { claims } = await dedup.adopt(ref, { metadata: { annotations: { other: 'x' } } });
    expect(markerNow()).toEqual({ ref, unannotated: true });
    await claims.claim(key, { rv: '10', eventId: 'e1' });
    await claims.release(key, '20');
    expect(markerNow()).toEqual({ ref, released: '20', unannotated: true });
  });

  it.each([
    ['Argo\'s keys', `{"${key}":1645078598}`],
    ['nothing readable', 'not json'],
    ['an empty value', ''],
  ])('an object whose annotation holds %s has a plain marker: the mirror rewrites or removes what is there', async (_, value) => {
    const { dedup, markerNow } = setup();
    await dedup.adopt(ref, argo(value));
    expect(markerNow()).toEqual({ ref });
  });

  it('writes a fresh marker over an unreadable one (the object is then known)', async () => {
    const { kv, dedup, markerNow } = setup();
    await kv.create(ref.uid, OBJECT_MARKER_KEY, 'garbage');
    await dedup.adopt(ref, {});
    expect(markerNow()).toEqual({ ref });
  });
});

describe('settle: a sink\'s result', () => {
  it.each([
    ['a success at the claim\'s revision: sent (time and state kept)', true, 0, 'sent', { status: 'sent', at: 5, rv: '10' }],
    ['a final failure at the claim\'s revision: released, so the condition fires again', false, 0, 'released', undefined],
    ['a success about an older claim: nothing changes', true, -1, 'outdated', { status: 'pending', event: 'e1' }],
    ['a failure about an older claim: nothing changes', false, -1, 'outdated', { status: 'pending', event: 'e1' }],
  ] as const)('%s', async (_, succeeded, offset, outcome, after) => {
    const { kv, dedup } = setup();
    const revision = (await kv.create(ref.uid, key, encodeClaim({ status: 'pending', at: 5, event: 'e1', rv: '10' })))!;
    expect(await dedup.settle(result(revision + offset, succeeded))).toBe(outcome);
    const now = await dedup.read(ref.uid, key);
    if (after) expect(now).toMatchObject(after);
    else expect(now).toBeUndefined();
    if (outcome === 'sent') expect(now!.event).toBeUndefined();
  });

  it.each([
    ['a success at the claim\'s revision: sent, with the time and state the result carries', true, 0, 'sent', { status: 'sent', at: 5, rv: '10' }],
    ['a success about an older claim: nothing changes', true, -1, 'outdated', { status: 'pending', event: 'e1' }],
    ['a failure about an older claim: nothing changes', false, -1, 'outdated', { status: 'pending', event: 'e1' }],
  ] as const)('carrying the claim (one compare-and-set, no read): %s', async (_, succeeded, offset, outcome, after) => {
    const { kv, dedup } = setup();
    const revision = (await kv.create(ref.uid, key, encodeClaim({ status: 'pending', at: 5, event: 'e1', rv: '10' })))!;
    const reads = countReads(kv);
    expect(await dedup.settle({ ...result(revision + offset, succeeded), claim: { at: 5, rv: '10' } })).toBe(outcome);
    expect(reads()).toBe(0);
    expect(await dedup.read(ref.uid, key)).toMatchObject(after);
  });

  it('a result handled again after it settled the claim is outdated, and the claim stays sent', async () => {
    const { kv, dedup } = setup();
    const revision = (await kv.create(ref.uid, key, encodeClaim({ status: 'pending', at: 5, event: 'e1', rv: '10' })))!;
    const settled = { ...result(revision, true), claim: { at: 5, rv: '10' } };
    expect(await dedup.settle(settled)).toBe('sent');
    expect(await dedup.settle(settled)).toBe('outdated');
    expect(await dedup.settle({ ...settled, succeeded: false })).toBe('outdated');
    expect(await dedup.read(ref.uid, key)).toMatchObject({ status: 'sent', at: 5, rv: '10' });
  });

  it('a result whose claim was cleared is outdated', async () => {
    const { dedup } = setup();
    expect(await dedup.settle(result(3, true))).toBe('outdated');
    expect(await dedup.read(ref.uid, key)).toBeUndefined();
  });
});

describe('withdraw: a claim whose notification was never published', () => {
  it('is deleted at its revision only', async () => {
    const { dedup } = setup();
    const { claims } = await dedup.adopt(ref, {});
    const claimed = await claims.claim(key, { rv: '10', eventId: 'e1' });
    if (claimed.outcome !== 'claimed') throw new Error('not claimed');
    expect(await dedup.withdraw(ref, key, claimed.revision + 1)).toBe(false);
    expect(await dedup.withdraw(ref, key, claimed.revision)).toBe(true);
    expect(await dedup.read(ref.uid, key)).toBeUndefined();
  });
});

describe('retakeForRetry: a dead-lettered notification sent again', () => {
  const letter = { stream: 'HERALD_DEAD_LETTERS', id: 7 };
  const n = (claimRevision: number) => ({ ref, stateKey: key, claimRevision }) as NotificationData;

  it('claims a released key again, marked with the letter', async () => {
    const { dedup } = setup();
    const retake = await dedup.retakeForRetry(n(1), letter, 120_000);
    expect(retake.outcome).toBe('claimed');
    expect(await dedup.read(ref.uid, key)).toMatchObject({ status: 'pending', event: 'dlq-retry:HERALD_DEAD_LETTERS:7', at: NOW / 1000 });
  });

  it('takes over the failed send\'s own claim, and resumes its own unconfirmed retry', async () => {
    const { kv, dedup } = setup();
    const failed = (await kv.create(ref.uid, key, encodeClaim({ status: 'pending', at: 1, event: 'e1' })))!;
    const first = await dedup.retakeForRetry(n(failed), letter, 120_000);
    expect(first).toEqual({ outcome: 'claimed', revision: expect.any(Number), claim: { at: NOW / 1000 } });
    const again = await dedup.retakeForRetry(n(failed), letter, 120_000);
    expect(again).toEqual(first);
  });

  it('skips a key claimed again since', async () => {
    const { kv, dedup } = setup();
    const since = (await kv.create(ref.uid, key, encodeClaim({ status: 'sent', at: 2 })))!;
    expect(await dedup.retakeForRetry(n(1), letter, 120_000)).toEqual({ outcome: 'skip', revision: since, reason: `already sent again since (claim sent at revision ${since})` });
  });

  it('gives up when the claim keeps changing under it', async () => {
    const { kv, dedup } = setup();
    kv.create = async () => undefined;
    expect(await dedup.retakeForRetry(n(1), letter, 120_000)).toEqual({ outcome: 'conflict', reason: `the claim of ${key} kept changing; try again` });
  });
});

describe('break 5: after the NATS store is lost, adoption reads the notified annotation the object has now', () => {
  const annotation = 'notified.notifications.argoproj.io';
  /** An apiserver that answers a GET of the object with `answer`. */
  const kubeWith = (answer: () => unknown) => {
    const gets: string[] = [];
    const client = {
      server: 'https://kube.test',
      async get(path: string) {
        gets.push(path);
        const a = answer();
        if (a instanceof Error) throw a;
        return a;
      },
    } as unknown as KubeClient;
    return { client, gets };
  };
  const adoptWith = async (answer: () => unknown, carried: Record<string, unknown> = {}) => {
    const kv = memoryKvStore();
    const { client, gets } = kubeWith(answer);
    const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io', clock: { now: () => new Date(NOW) }, kube: client });
    const adoption = await dedup.adopt(ref, carried);
    const claim = await adoption.claims.claim(key, { rv: '10', eventId: 'e1' });
    return { adoption, gets, claim, read: () => dedup.read(ref.uid, key), marker: async () => decodeMarker((await kv.get(ref.uid, OBJECT_MARKER_KEY))!.value) };
  };

  it('holds a key the mirror wrote after the event was published (the event carries no annotation)', async () => {
    const { adoption, gets, claim, read, marker } = await adoptWith(() => ({ metadata: { uid: ref.uid, annotations: { [annotation]: `{"${key}":1700000000}` } } }));
    expect(gets).toEqual(['/api/v1/namespaces/default/pods/web-1']);
    expect(await marker()).toEqual({ ref });
    expect(adoption.adopted).toBe(1);
    expect(claim.outcome).toBe('held');
    expect(await read()).toMatchObject({ status: 'adopted', at: 1700000000 });
  });

  it.each([
    ['the object is gone (404)', () => new KubeApiError(404, 'not found')],
    ['Herald may not read it (403)', () => new KubeApiError(403, 'forbidden')],
    ['another object has its name now', () => ({ metadata: { uid: 'someone-else', annotations: {} } })],
  ])('adopts what the event carried when %s', async (_, answer) => {
    const { adoption, claim } = await adoptWith(answer, { metadata: { annotations: { [annotation]: `{"${key}":1600000000}` } } });
    expect(adoption.adopted).toBe(1);
    expect(claim.outcome).toBe('held');
  });

  it('goes by the object as it is now when the event carried an annotation the object no longer has: nothing adopted, nothing to mirror', async () => {
    const { adoption, claim, marker } = await adoptWith(() => ({ metadata: { uid: ref.uid, annotations: {} } }), { metadata: { annotations: { [annotation]: `{"${key}":1600000000}` } } });
    expect(adoption.adopted).toBe(0);
    expect(claim.outcome).toBe('claimed');
    expect(await marker()).toEqual({ ref, unannotated: true });
  });

  it('fails, to be retried, while the apiserver cannot answer', async () => {
    await expect(adoptWith(() => new KubeApiError(503, 'unavailable'))).rejects.toThrow('unavailable');
  });

  it('arms no timer per event: the one request adopting may make is bounded by the Kubernetes client', async () => {
    const timeouts = vi.spyOn(AbortSignal, 'timeout');
    try {
      const { adoption } = await adoptWith(() => ({ metadata: { uid: ref.uid } }));
      expect(adoption.adopted).toBe(0);
      expect(timeouts).not.toHaveBeenCalled();
    } finally {
      timeouts.mockRestore();
    }
  });

  describe('an event read since the state bucket was made (it carries the bucket\'s epoch) is trusted: no read', () => {
    const mirrored = () => ({ metadata: { uid: ref.uid, annotations: { [annotation]: `{"${key}":1700000000}` } } });
    const carrying = (value: string) => ({ metadata: { annotations: { [annotation]: value } } });
    const adoptTagged = async (stateEpoch: string | undefined, epochNow: () => Promise<string | undefined>, carried: Record<string, unknown> = {}) => {
      const kv = memoryKvStore();
      const { client, gets } = kubeWith(mirrored);
      const epochReads: string[] = [];
      const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io', kube: client, stateEpoch: () => (epochReads.push('read'), epochNow()) });
      const adoption = await dedup.adopt(ref, carried, stateEpoch === undefined ? {} : { stateEpoch });
      const claim = await adoption.claims.claim(key, { rv: '10', eventId: 'e1' });
      return { adoption, gets, claim, epochReads };
    };

    it('same epoch: what the event carried is adopted, and the apiserver is not asked', async () => {
      const { adoption, gets, claim } = await adoptTagged('2026-12-07T10:00:00.1Z', async () => '2026-12-07T10:00:00.1Z', carrying(`{"${key}":1600000000}`));
      expect(gets).toEqual([]);
      expect(adoption.adopted).toBe(1);
      expect(claim.outcome).toBe('held');
    });

    it('same epoch, nothing carried: nothing adopted (this bucket\'s mirror writes only objects it has a marker for)', async () => {
      const { adoption, gets, claim } = await adoptTagged('2026-12-07T10:00:00.1Z', async () => '2026-12-07T10:00:00.1Z');
      expect(gets).toEqual([]);
      expect(adoption.adopted).toBe(0);
      expect(claim.outcome).toBe('claimed');
    });

    it.each<[string, string | undefined, () => Promise<string | undefined>]>([
      ['the bucket was made again since the event was read (the store was lost)', '2026-12-07T10:00:00.1Z', async () => '2026-12-07T11:30:00.2Z'],
      ['the event carries no epoch (a source outside Herald, or one that did not read it live)', undefined, async () => '2026-12-07T10:00:00.1Z'],
      ['the bucket is gone', '2026-12-07T10:00:00.1Z', async () => undefined],
      ['the bucket\'s epoch cannot be read', '2026-12-07T10:00:00.1Z', async () => Promise.reject(new Error('timeout'))],
    ])('%s: the annotation is read as the object has it now, and holds the key the mirror wrote', async (_, tag, epochNow) => {
      const { adoption, gets, claim } = await adoptTagged(tag, epochNow);
      expect(gets).toEqual(['/api/v1/namespaces/default/pods/web-1']);
      expect(adoption.adopted).toBe(1);
      expect(claim.outcome).toBe('held');
    });

    it('reads the epoch only for an object seen for the first time, after the read of its claims', async () => {
      const kv = memoryKvStore();
      const { client } = kubeWith(mirrored);
      const order: string[] = [];
      const readGroup = kv.readGroup.bind(kv);
      kv.readGroup = async (uid, options) => (order.push('claims'), readGroup(uid, options));
      const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io', kube: client, stateEpoch: async () => (order.push('epoch'), 'e') });
      await dedup.adopt(ref, {}, { stateEpoch: 'e' });
      await dedup.adopt(ref, {}, { stateEpoch: 'e' });
      expect(order).toEqual(['claims', 'epoch', 'claims']);
    });
  });

  it('reads nothing from the apiserver for an object it has seen before', async () => {
    const kv = memoryKvStore();
    const { client, gets } = kubeWith(() => ({ metadata: { uid: ref.uid } }));
    const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io', kube: client });
    await dedup.adopt(ref, {});
    await dedup.adopt(ref, {});
    expect(gets).toHaveLength(1);
  });
});
