import type { ResourceEventData } from '@herald/plugin-sdk';

/** A resource event as a source publishes it: Pod `default/web-1` modified; override what your test needs. */
export function sampleResourceEvent(overrides: Partial<ResourceEventData> = {}): ResourceEventData {
  const ref = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: '2f6a7c1e-0000-4000-8000-000000000001' };
  return {
    action: 'MODIFIED',
    ref,
    resourceVersion: '1001',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: ref.name, namespace: ref.namespace, uid: ref.uid, resourceVersion: '1001' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    },
    ...overrides,
  };
}
