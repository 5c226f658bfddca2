import type { ObjectMeta } from '../informer/kube-object.ts';

/** `spec` of a coordination.k8s.io/v1 Lease: who holds it and since when. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  /** How long candidates wait, after they last saw the lease change, before they may take it over. */
  leaseDurationSeconds?: number | null;
  /** MicroTime: RFC 3339 with six fractional digits. */
  acquireTime?: string | null;
  renewTime?: string | null;
  /** How many times the lease went from one holder to another. */
  leaseTransitions?: number | null;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: LeaseSpec;
}

/** `/apis/coordination.k8s.io/v1/namespaces/<ns>/leases`, and with a name, that lease's path. */
export function leasePath(namespace: string, name?: string): string {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

/**
 * A MicroTime as the API server parses it: `2006-01-02T15:04:05.000000Z`. Its parser wants exactly six
 * fractional digits, so JavaScript's milliseconds are padded.
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * `base` (read or last written) with `identity` as holder, renewed at `now`; its resourceVersion is kept, so
 * that the write fails (409) if the lease changed since. Acquiring (from another holder, or none) sets
 * acquireTime and counts a transition; renewing keeps them.
 */
export function claimed(base: Lease, identity: string, leaseDurationMs: number, now: number): Lease {
  const spec = base.spec ?? {};
  const renewing = spec.holderIdentity === identity;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: withoutManagedFields(base),
    spec: {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1_000),
      acquireTime: renewing && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing || !base.spec ? 0 : 1),
    },
  };
}

/** `lease` given up: no holder, and a 1 s duration, so that whoever reads it next may take it at once. */
export function released(lease: Lease, now: number): Lease {
  const time = microTime(now);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: withoutManagedFields(lease),
    spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: time, renewTime: time },
  };
}

function withoutManagedFields(lease: Lease): ObjectMeta {
  const { managedFields: _, ...metadata } = lease.metadata ?? {};
  return metadata;
}
