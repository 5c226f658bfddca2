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

  /**
   * What `keep` kept of an object, as a row of a checkpoint (checkpoint.ts): its fields in a fixed order, an
   * absent one as null.
   */
  static record(kept: KubeObject): KeptRecord {
    const m = kept.metadata ?? {};
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return [text(kept.apiVersion), text(kept.kind), text(m.name), text(m.namespace), text(m.uid), text(m.resourceVersion), typeof m.generation === 'number' ? m.generation : null, text(m.creationTimestamp), text(m.deletionTimestamp), text(kept[FINGERPRINT])];
  }

  /** The object `keep` had kept, from its `record`; undefined when the row is not one. */
  restore(row: unknown): KubeObject | undefined {
    if (!Array.isArray(row) || row.length !== 10) return undefined;
    const [apiVersion, kind, name, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, fingerprint] = row as unknown[];
    if (typeof uid !== 'string' || typeof resourceVersion !== 'string' || typeof fingerprint !== 'string') return undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    // Through identityMetadata, as `keep` does: the same fields in the same order, so the same shape in memory.
    const metadata = identityMetadata(
      { name: text(name), namespace: text(namespace), uid, resourceVersion, generation: typeof generation === 'number' ? generation : undefined, creationTimestamp: text(creationTimestamp), deletionTimestamp: text(deletionTimestamp) },
      (value) => this.#share(value),
    );
    return { apiVersion: this.#share(text(apiVersion)), kind: this.#share(text(kind)), metadata, [FINGERPRINT]: fingerprint };
  }

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

/** A kept object as a checkpoint's row (`ObjectChanges.record`). */
export type KeptRecord = [apiVersion: string | null, kind: string | null, name: string | null, namespace: string | null, uid: string | null, resourceVersion: string | null, generation: number | null, creationTimestamp: string | null, deletionTimestamp: string | null, fingerprint: string | null];

/**
 * The version of what a checkpoint's rows mean: raised whenever `record`'s fields or the fingerprint change, so
 * that a Herald never compares its fingerprints with another version's (a checkpoint of another format is not used).
 */
export const KEPT_FORMAT = 1;

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
