import { describe, expect, it } from 'vitest';
import { configSchema } from './file-source.config.ts';
import type { ManifestObjectShape } from './object-check.ts';
import { contentVersion, guessPlural, nameBasedUid, ObjectIdentity, splitApiVersion } from './object-identity.ts';

const identity = (options: Record<string, unknown> = {}) => new ObjectIdentity(configSchema.parse({ path: '.', ...options }));
const object = (apiVersion: string, kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ apiVersion, kind, metadata, ...rest }) as ManifestObjectShape;

describe('object identity', () => {
  it.each([
    ['Pod', 'pods'],
    ['Application', 'applications'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Gateway', 'gateways'],
    ['Ingress', 'ingresses'],
    ['Box', 'boxes'],
    ['Patch', 'patches'],
    ['Endpoints', 'endpoints'],
  ])('guesses the resource of kind %s: %s', (kind, plural) => {
    expect(guessPlural(kind)).toBe(plural);
  });

  it('splits apiVersion into group and version', () => {
    expect(splitApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(splitApiVersion('argoproj.io/v1alpha1')).toEqual({ group: 'argoproj.io', version: 'v1alpha1' });
  });

  it('publishes the ref and object the Kubernetes source would: namespace defaulted, uid and resourceVersion set, managedFields dropped', () => {
    const read = object('argoproj.io/v1alpha1', 'Application', { name: 'shop', managedFields: [{ manager: 'kubectl' }], resourceVersion: '12345' }, { status: { sync: { status: 'Synced' } } });
    const published = identity().of(read);
    const uid = nameBasedUid('argoproj.io/Application/default/shop');
    expect(published.ref).toEqual({ group: 'argoproj.io', version: 'v1alpha1', resource: 'applications', kind: 'Application', namespace: 'default', name: 'shop', uid });
    expect(published.resourceVersion).toMatch(/^sha256-[0-9a-f]{24}$/);
    expect(published.object).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: 'default', uid, resourceVersion: published.resourceVersion },
      status: { sync: { status: 'Synced' } },
    });
    expect(published.key).toBe('argoproj.io/Application/default/shop');
  });

  it('takes the uid and namespace the object gives, and the options’ namespace, resources and cluster-scoped kinds', () => {
    expect(identity().of(object('v1', 'Pod', { name: 'a', namespace: 'shop', uid: 'u-1' })).ref).toMatchObject({ namespace: 'shop', uid: 'u-1' });
    expect(identity({ namespace: 'demo' }).of(object('v1', 'Pod', { name: 'a' })).ref.namespace).toBe('demo');
    expect(identity().of(object('v1', 'Namespace', { name: 'shop' })).ref).not.toHaveProperty('namespace');
    expect(identity().of(object('rbac.authorization.k8s.io/v1', 'ClusterRole', { name: 'x' })).object.metadata).not.toHaveProperty('namespace');
    // A Namespace kind of another group is not Kubernetes' own.
    expect(identity().of(object('example.com/v1', 'Namespace', { name: 'x' })).ref.namespace).toBe('default');
    expect(identity({ clusterScoped: ['Cluster', 'example.com/Tenant'] }).of(object('fleet.io/v1', 'Cluster', { name: 'x' })).ref).not.toHaveProperty('namespace');
    expect(identity({ clusterScoped: ['example.com/Tenant'] }).of(object('other.io/v1', 'Tenant', { name: 'x' })).ref.namespace).toBe('default');
    const resources = { resources: { Gizmo: 'gizmoes', 'example.com/Widget': 'widgetz' } };
    expect(identity(resources).of(object('a.io/v1', 'Gizmo', { name: 'x' })).ref.resource).toBe('gizmoes');
    expect(identity(resources).of(object('example.com/v1', 'Widget', { name: 'x' })).ref.resource).toBe('widgetz');
    expect(identity(resources).of(object('other.io/v1', 'Widget', { name: 'x' })).ref.resource).toBe('widgets');
  });

  it('keeps uid and resourceVersion from one start to the next, and changes the resourceVersion with the content only', () => {
    const a = identity().of(object('v1', 'Pod', { name: 'a', labels: { x: '1', y: '2' } }, { spec: { b: 1, a: [1, 2] } }));
    const reordered = identity().of({ spec: { a: [1, 2], b: 1 }, metadata: { labels: { y: '2', x: '1' }, name: 'a' }, kind: 'Pod', apiVersion: 'v1' });
    expect(reordered.ref.uid).toBe(a.ref.uid);
    expect(reordered.resourceVersion).toBe(a.resourceVersion);
    expect(identity().of(object('v1', 'Pod', { name: 'a', labels: { x: '1', y: '2' } }, { spec: { b: 2, a: [1, 2] } })).resourceVersion).not.toBe(a.resourceVersion);
    // Another API version of the same object is the same object, as in Kubernetes.
    expect(identity().of(object('v2', 'Pod', { name: 'a' })).ref.uid).toBe(identity().of(object('v1', 'Pod', { name: 'a' })).ref.uid);
  });

  it('makes RFC 4122 version 5 uids, and resourceVersions nothing takes for an API server’s', () => {
    expect(nameBasedUid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUid('x')).not.toBe(nameBasedUid('y'));
    expect(contentVersion({})).not.toMatch(/^[0-9]+$/);
  });
});
