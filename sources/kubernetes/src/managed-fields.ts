import type { KubeObject } from '@herald/core-kube';

/**
 * The object without `metadata.managedFields` (server-side apply bookkeeping, often larger than the rest of
 * the object and of no use to triggers or templates); everything else as it was.
 */
export function stripManagedFields(object: KubeObject): KubeObject {
  const metadata = object.metadata;
  if (!metadata || !('managedFields' in metadata)) return object;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...object, metadata: rest };
}
