import { collectionPath, KubeApiError, type KubeClient } from '@herald/core-kube';
import type { ObjectRef } from '@herald/plugin-sdk';

/** The object's path on the apiserver. */
export function objectPath(ref: ObjectRef): string {
  return `${collectionPath({ group: ref.group, version: ref.version, resource: ref.resource }, ref.namespace)}/${encodeURIComponent(ref.name)}`;
}

/**
 * The annotation as the object has it now, read from the apiserver; undefined when the object is gone,
 * replaced by another of that name, or Herald may not read it (the caller keeps what the event carried).
 * Throws what is worth retrying (the apiserver unreachable, overloaded).
 */
export async function readLiveAnnotation(kube: KubeClient, ref: ObjectRef, annotation: string, signal: AbortSignal): Promise<{ value: string | undefined } | undefined> {
  let object: { metadata?: { uid?: string; annotations?: Record<string, string> } };
  try {
    object = await kube.get(objectPath(ref), {}, signal);
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 404 || err.status === 403)) return undefined;
    throw err;
  }
  if (object.metadata?.uid !== ref.uid) return undefined;
  return { value: object.metadata.annotations?.[annotation] };
}
