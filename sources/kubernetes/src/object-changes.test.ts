import { describe, expect, it } from 'vitest';
import { changedBeyond } from './object-changes.ts';

const notified = 'notified.notifications.argoproj.io';
const ignored = new Set([notified]);
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '41', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { containers: [{ name: 'app', image: 'web:1' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
};
const withMeta = (metadata: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ ...pod, ...rest, metadata: { ...pod.metadata, resourceVersion: '42', ...metadata } });

describe('changedBeyond', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['only the notified annotation added', withMeta({ annotations: { team: 'a', [notified]: '{"x":1}' } }), false],
    ['only the resourceVersion', withMeta({}), false],
    ['only managedFields', withMeta({ managedFields: [{ manager: 'herald' }] }), false],
    ['the same object with keys in another order', { status: pod.status, spec: pod.spec, kind: 'Pod', apiVersion: 'v1', metadata: { ...pod.metadata } }, false],
    ['another annotation', withMeta({ annotations: { team: 'b', [notified]: '{"x":1}' } }), true],
    ['an annotation removed', withMeta({ annotations: {} }), true],
    ['a label', withMeta({ labels: { app: 'web', tier: 'front' } }), true],
    ['the status', withMeta({}, { status: { ...pod.status, phase: 'Succeeded' } }), true],
    ['an element of a list', withMeta({}, { status: { ...pod.status, conditions: [{ type: 'Ready', status: 'False' }] } }), true],
    ['a field gone', withMeta({}, { status: undefined }), true],
    ['the deletionTimestamp', withMeta({ deletionTimestamp: '2026-01-01T00:00:00Z' }), true],
  ])('%s: %s', (_, next, changed) => {
    expect(changedBeyond(pod, next, ignored)).toBe(changed);
  });

  it('with no annotations ignored, the notified annotation is a change like any other', () => {
    expect(changedBeyond(pod, withMeta({ annotations: { team: 'a', [notified]: '{}' } }), new Set())).toBe(true);
  });
});
