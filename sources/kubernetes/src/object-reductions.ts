import type { KubeObject } from '@herald/core-kube';

/** kubectl's copy of the whole object as last applied: often as large as the object, and read by no trigger Herald knows of. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The object without its last-applied-configuration annotation; undefined when it has none. */
export function withoutLastApplied(object: KubeObject): KubeObject | undefined {
  const annotations = object.metadata?.annotations as Record<string, string> | undefined;
  if (!annotations || !(LAST_APPLIED in annotations)) return undefined;
  const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
  return { ...object, metadata: { ...object.metadata, annotations: rest } };
}

/**
 * The identity fields of metadata, every one written (an absent one as undefined, which JSON leaves out): one
 * shape for every object, as what the source keeps of each must be small (object-changes.ts). `share` gives the
 * namespace string to keep.
 */
export function identityMetadata(metadata: NonNullable<KubeObject['metadata']>, share: (value: string | undefined) => string | undefined = (v) => v) {
  return {
    name: metadata.name,
    namespace: share(metadata.namespace),
    uid: metadata.uid,
    resourceVersion: metadata.resourceVersion,
    generation: metadata.generation,
    creationTimestamp: metadata.creationTimestamp,
    deletionTimestamp: metadata.deletionTimestamp,
  };
}

/**
 * What says which object it was and nothing else: apiVersion, kind and the identity fields of metadata.
 * Without labels and annotations, no subscription matches it, so no trigger is evaluated against an object
 * whose body is missing.
 */
export function tombstone(object: KubeObject): KubeObject {
  const metadata = Object.fromEntries(Object.entries(identityMetadata(object.metadata ?? {})).filter(([, value]) => value !== undefined));
  return {
    ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
    ...(object.kind === undefined ? {} : { kind: object.kind }),
    metadata,
  };
}
