import { describe, expect, it } from 'vitest';
import { stripManagedFields } from './managed-fields.ts';
import { toResourceEvent } from './resource-event.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '42',
    labels: { app: 'web' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:metadata': {} } }],
  },
  spec: { containers: [{ name: 'app', image: 'web:1' }] },
  status: { phase: 'Running' },
};

describe('managedFields stripping', () => {
  it('drops metadata.managedFields and nothing else, leaving the input as it was', () => {
    const stripped = stripManagedFields(pod);
    expect(stripped).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '42', labels: { app: 'web' } },
      spec: pod.spec,
      status: pod.status,
    });
    expect(Object.keys(stripped.metadata!)).toEqual(['name', 'namespace', 'uid', 'resourceVersion', 'labels']);
    expect(pod.metadata.managedFields).toHaveLength(1);
  });

  it('returns an object without managedFields unchanged', () => {
    const plain = { kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(stripManagedFields(plain)).toBe(plain);
    const bare = { kind: 'Odd' };
    expect(stripManagedFields(bare)).toBe(bare);
  });
});

describe('resource event', () => {
  const resource = { group: '', version: 'v1', resource: 'pods', kind: 'Pod' };

  it('takes the ref from the configured resource and the object, the resourceVersion from the object', () => {
    const object = stripManagedFields(pod);
    expect(toResourceEvent(resource, { type: 'MODIFIED', object })).toEqual({
      action: 'MODIFIED',
      ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'shop', name: 'web', uid: 'u-1' },
      resourceVersion: '42',
      object,
    });
  });

  it('leaves the namespace out for a cluster-scoped object', () => {
    const node = { kind: 'Node', metadata: { name: 'n1', uid: 'u-2', resourceVersion: '7' } };
    const event = toResourceEvent({ group: '', version: 'v1', resource: 'nodes', kind: 'Node' }, { type: 'DELETED', object: node, finalStateUnknown: true });
    expect(event.ref).toEqual({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', name: 'n1', uid: 'u-2' });
    expect(event.resourceVersion).toBe('7');
  });
});
