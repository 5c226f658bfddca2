import { hash } from 'node:crypto';
import type { KubeObject } from '@herald/core-kube';
import { identityMetadata } from './object-reductions.ts';

/** Where the fingerprint sits in what the informer keeps of an object (a DELETED found by a relist is published as the tombstone alone). */
const FINGERPRINT = 'heraldFingerprint';

/**
 * Tells a MODIFIED that changes something from one that changes nothing but `metadata.resourceVersion`,
 * `metadata.managedFields` and the ignored annotations: Herald's own `notified` annotation patch makes such a
 * MODIFIED, and publishing it would only evaluate the object again for nothing.
 *
 * The informer keeps of each object only what `keep` returns: its tombstone (which object it was, for a DELETED
 * a relist finds) and a fingerprint of the rest (96 bits of its SHA-256), about 350 bytes instead of the whole
 * object. The fingerprint hashes the object's JSON with its top-level and metadata fields sorted, deeper ones in
 * the order the API server wrote them: the server writes them in one order, so a reordering could only make an
 * unchanged object look changed (one more event published), never hide a change.
 *
 * What is kept is held for every watched object for as long as Herald runs, so it is built to be small
 * (docs/benchmarks.md, twentieth wave): two objects of one fixed shape each (their fields inside the object,
 * no separate property array), apiVersion, kind and namespace shared with every other object that has the
 * same (`#shared`), and a fingerprint of 16 characters.
 */
export class ObjectChanges {
  readonly #ignored: ReadonlySet<string>;

  constructor(ignoredAnnotations: Iterable<string>) {
    this.#ignored = new Set(ignoredAnnotations);
  }

  /** One string for each apiVersion, kind and namespace the kept objects have: few, and the same for most of them. */
  readonly #shared = new Map<string, string>();

  /** What the informer keeps of an object: its tombstone and its fingerprint. */
  readonly keep = (object: KubeObject): KubeObject => {
    const metadata = identityMetadata(object.metadata ?? {}, (value) => this.#share(value));
    return { apiVersion: this.#share(object.apiVersion), kind: this.#share(object.kind), metadata, [FINGERPRINT]: fingerprintOf(this.#comparable(object)) };
  };

  #share(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const shared = this.#shared.get(value);
    if (shared !== undefined) return shared;
    // Namespaces come and go: a few thousand distinct ones are kept at most, then the table starts over.
    if (this.#shared.size >= 4096) this.#shared.clear();
    this.#shared.set(value, value);
    return value;
  }

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

/**
 * 96 bits of the JSON's SHA-256, as 16 characters (a string of its own, not a slice that would hold the whole
 * digest); one no other object has when there is no JSON (too deep: the publisher dead-letters it). Two
 * versions of one object are compared, so 96 bits make a change taken for none a 2^-96 chance.
 */
function fingerprintOf(object: Record<string, unknown>): string {
  try {
    return hash('sha256', JSON.stringify(object), 'buffer').toString('base64', 0, 12);
  } catch {
    return `unfingerprinted ${++unique}`;
  }
}
