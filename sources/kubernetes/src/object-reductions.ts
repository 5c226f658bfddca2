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

const identity = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp'] as const;

/**
 * What says which object it was and nothing else: apiVersion, kind and the identity fields of metadata.
 * Without labels and annotations, no subscription matches it, so no trigger is evaluated against an object
 * whose body is missing.
 */
export function tombstone(object: KubeObject): KubeObject {
  const metadata: Record<string, unknown> = {};
  for (const field of identity) if (object.metadata?.[field] !== undefined) metadata[field] = object.metadata[field];
  return {
    ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
    ...(object.kind === undefined ? {} : { kind: object.kind }),
    metadata,
  };
}
