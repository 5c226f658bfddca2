import type { KubeObject } from '@herald/core-kube';

/**
 * Whether `next` differs from `previous` in more than its `metadata.resourceVersion`, its
 * `metadata.managedFields` and the given annotations. Herald's own `notified` annotation patch makes a
 * MODIFIED that changes nothing else: publishing it would only evaluate the object again for nothing.
 */
export function changedBeyond(previous: KubeObject, next: KubeObject, ignoredAnnotations: ReadonlySet<string>): boolean {
  for (const key of keysOf(previous, next)) {
    if (key !== 'metadata' && !deepEqual(previous[key], next[key])) return true;
  }
  const before = (previous.metadata ?? {}) as Record<string, unknown>;
  const after = (next.metadata ?? {}) as Record<string, unknown>;
  for (const key of keysOf(before, after)) {
    if (key === 'resourceVersion' || key === 'managedFields' || key === 'annotations') continue;
    if (!deepEqual(before[key], after[key])) return true;
  }
  const annotationsBefore = (before.annotations ?? {}) as Record<string, unknown>;
  const annotationsAfter = (after.annotations ?? {}) as Record<string, unknown>;
  for (const key of keysOf(annotationsBefore, annotationsAfter)) {
    if (!ignoredAnnotations.has(key) && annotationsBefore[key] !== annotationsAfter[key]) return true;
  }
  return false;
}

function keysOf(a: object, b: object): Set<string> {
  return new Set([...Object.keys(a), ...Object.keys(b)]);
}

/** JSON values (what the API server sends) equal in value; key order does not matter. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((key) => Object.hasOwn(y, key) && deepEqual(x[key], y[key]));
}
