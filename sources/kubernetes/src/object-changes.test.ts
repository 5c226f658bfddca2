import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@herald/core-kube';
import { ObjectChanges } from './object-changes.ts';

const notified = 'notified.notifications.argoproj.io';
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '41', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { containers: [{ name: 'app', image: 'web:1' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
};
const withMeta = (metadata: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ ...pod, ...rest, metadata: { ...pod.metadata, resourceVersion: '42', ...metadata } });
/** Whether `next` is a change against `previous` as the informer kept it. */
const changed = (previous: KubeObject, next: KubeObject, ignored: string[] = [notified]) => {
  const changes = new ObjectChanges(ignored);
  return changes.changed(changes.keep(previous), changes.keep(next));
};

describe('ObjectChanges', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['only the notified annotation added', withMeta({ annotations: { team: 'a', [notified]: '{"x":1}' } }), false],
    ['only the resourceVersion', withMeta({}), false],
    ['only managedFields', withMeta({ managedFields: [{ manager: 'herald' }] }), false],
    ['the same object, copied', structuredClone(pod), false],
    ['the same object with kind before apiVersion and metadata fields in another order (a watch event after a list)', { kind: 'Pod', apiVersion: 'v1', metadata: Object.fromEntries(Object.entries(pod.metadata).reverse()), spec: pod.spec, status: pod.status }, false],
    ['another annotation', withMeta({ annotations: { team: 'b', [notified]: '{"x":1}' } }), true],
    ['an annotation removed', withMeta({ annotations: {} }), true],
    ['a label', withMeta({ labels: { app: 'web', tier: 'front' } }), true],
    ['the status', withMeta({}, { status: { ...pod.status, phase: 'Succeeded' } }), true],
    ['an element of a list', withMeta({}, { status: { ...pod.status, conditions: [{ type: 'Ready', status: 'False' }] } }), true],
    ['a field gone', withMeta({}, { status: undefined }), true],
    ['the deletionTimestamp', withMeta({ deletionTimestamp: '2026-01-01T00:00:00Z' }), true],
  ])('%s: changed %s', (_, next, expected) => {
    expect(changed(pod, next)).toBe(expected);
  });

  it('counts an object without annotations and one with only ignored ones as the same', () => {
    const bare = { ...pod, metadata: { ...pod.metadata, annotations: undefined } };
    expect(changed(bare, withMeta({ annotations: { [notified]: '{"x":1}' } }))).toBe(false);
  });

  it('with no annotations ignored, the notified annotation is a change like any other', () => {
    expect(changed(pod, withMeta({ annotations: { team: 'a', [notified]: '{}' } }), [])).toBe(true);
  });

  it('keeps which object it was and a fingerprint, nothing of its labels, annotations, spec or status', () => {
    const kept = new ObjectChanges([notified]).keep(pod);
    expect(kept).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '41', creationTimestamp: '2026-01-01T00:00:00Z' },
      heraldFingerprint: expect.stringMatching(/^[A-Za-z0-9+/]{16}$/),
    });
    // Published as a tombstone (a DELETED a relist finds), the absent fields are absent.
    expect(Object.keys(JSON.parse(JSON.stringify(kept.metadata)) as object)).toEqual(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']);
  });
});
