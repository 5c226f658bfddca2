import type { ResourceEventData } from '@herald/plugin-sdk';
import type { InformerEvent } from '@herald/core-kube';
import type { ResourceConfig } from './kubernetes-source.config.ts';

/**
 * The bus event for an informer event: `ref` from the configured group/version/resource/kind and the
 * object's metadata, `resourceVersion` from the object (for a DELETED, its last one), and for an unchanged
 * object a resync handed over again, `resync` (the resync's list resourceVersion).
 */
export function toResourceEvent(resource: ResourceConfig, event: InformerEvent): ResourceEventData {
  const metadata = event.object.metadata ?? {};
  return {
    action: event.type,
    ref: {
      group: resource.group,
      version: resource.version,
      resource: resource.resource,
      kind: resource.kind,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      name: metadata.name ?? '',
      uid: metadata.uid ?? '',
    },
    resourceVersion: metadata.resourceVersion ?? '',
    object: event.object,
    ...(event.resync ? { resync: event.resync } : {}),
  };
}
