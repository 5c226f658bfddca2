import { hash } from 'node:crypto';
import type { KubeObject } from '@herald/core-kube';
import { tombstone } from './object-reductions.ts';

/** Where the fingerprint sits in what the informer keeps of an object (a DELETED found by a relist is published as the tombstone alone). */
const FINGERPRINT = 'heraldFingerprint';

/**
 * Tells a MODIFIED that changes something from one that changes nothing but `metadata.resourceVersion`,
 * `metadata.managedFields` and the ignored annotations: Herald's own `notified` annotation patch makes such a
 * MODIFIED, and publishing it would only evaluate the object again for nothing.
 *
 * The informer keeps of each object only what `keep` returns: its tombstone (which object it was, for a DELETED
 * a relist finds) and a fingerprint (SHA-256) of the rest, a few hundred bytes instead of the whole object. The
 * fingerprint hashes the object's JSON with its top-level and metadata fields sorted, deeper ones in the order
 * the API server wrote them: the server writes them in one order, so a reordering could only make an unchanged
 * object look changed (one more event published), never hide a change.
 */
export class ObjectChanges {
  readonly #ignored: ReadonlySet<string>;

  constructor(ignoredAnnotations: Iterable<string>) {
    this.#ignored = new Set(ignoredAnnotations);
  }

  /** What the informer keeps of an object: its tombstone and its fingerprint. */
  readonly keep = (object: KubeObject): KubeObject => ({ ...tombstone(object), [FINGERPRINT]: fingerprintOf(this.#comparable(object)) });

  /** Whether an object changed beyond the ignored parts between two of what `keep` kept of it. */
  changed(previous: KubeObject, next: KubeObject): boolean {
    return previous[FINGERPRINT] !== next[FINGERPRINT];
  }

  /**
   * The object without what does not count as a change, its top-level and metadata fields in sorted order: a
   * list's items get apiVersion and kind put first (see the informer), while a watch writes a typed object's
   * `kind` before its `apiVersion`. Below those two levels the API server writes the same way every time.
   */
  #comparable(object: KubeObject): Record<string, unknown> {
    const metadata = object.metadata ?? {};
    let annotations = metadata.annotations as Record<string, unknown> | undefined;
    if (annotations && Object.keys(annotations).some((key) => this.#ignored.has(key))) {
      annotations = Object.fromEntries(Object.entries(annotations).filter(([key]) => !this.#ignored.has(key)));
    }
    // No annotations and none left but ignored ones are the same.
    if (annotations && Object.keys(annotations).length === 0) annotations = undefined;
    const comparableMetadata: Record<string, unknown> = {};
    for (const key of Object.keys(metadata).sort()) {
      if (key !== 'resourceVersion' && key !== 'managedFields' && key !== 'annotations') comparableMetadata[key] = metadata[key];
    }
    if (annotations) comparableMetadata.annotations = annotations;
    const comparable: Record<string, unknown> = {};
    for (const key of Object.keys(object).sort()) comparable[key] = key === 'metadata' ? comparableMetadata : object[key];
    return comparable;
  }
}

let unique = 0;

/** SHA-256 of the JSON; one no other object has when there is no JSON (too deep: the publisher dead-letters it). */
function fingerprintOf(object: Record<string, unknown>): string {
  try {
    return hash('sha256', JSON.stringify(object), 'base64');
  } catch {
    return `unfingerprinted ${++unique}`;
  }
}
