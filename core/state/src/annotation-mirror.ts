import { collectionPath, KubeApiError, type KubeClient } from '@herald/core-kube';
import { decodeClaim, decodeMarker, formatNotifiedAnnotation, OBJECT_MARKER_KEY } from '@herald/core-evaluator';
import type { Logger, ObjectRef, StateStore } from '@herald/plugin-sdk';

const WRITTEN_CACHE_SIZE = 50_000;

export interface AnnotationMirrorOptions {
  state: StateStore;
  kube: KubeClient;
  logger: Logger;
  /** `notified.<prefix>`. */
  annotation: string;
  /** Changes within this window cost one patch. */
  coalesceMs: number;
}

/**
 * Writes each object's sent and adopted claims into its `notified` annotation in Argo's format (JSON map of
 * state key → unix seconds, at most 100 entries, removed when empty) with a JSON merge patch. Changes to one
 * object are coalesced; an object that no longer exists has its state purged.
 */
export class AnnotationMirror {
  readonly #options: AnnotationMirrorOptions;
  readonly #scheduled = new Map<string, Promise<void>>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #written = new Map<string, string | undefined>();
  readonly #stop = new AbortController();
  readonly #forbidden = new Set<string>();

  constructor(options: AnnotationMirrorOptions) {
    this.#options = options;
  }

  /** Resolves once a patch that includes every change made before this call is done. */
  sync(objectUid: string): Promise<void> {
    const pending = this.#scheduled.get(objectUid);
    if (pending) return pending;
    const previous = this.#running.get(objectUid) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => new Promise((r) => setTimeout(r, this.#options.coalesceMs)))
      .then(() => {
        // From here on, new changes need another patch.
        this.#scheduled.delete(objectUid);
        const run = this.#write(objectUid);
        this.#running.set(objectUid, run);
        return run.finally(() => {
          if (this.#running.get(objectUid) === run) this.#running.delete(objectUid);
        });
      });
    this.#scheduled.set(objectUid, next);
    return next;
  }

  stop(): void {
    this.#stop.abort();
  }

  async #write(objectUid: string): Promise<void> {
    const { state, kube, logger, annotation } = this.#options;
    const entries = await state.entries(objectUid);
    const markerEntry = entries.get(OBJECT_MARKER_KEY);
    const marker = markerEntry ? decodeMarker(markerEntry.value) : undefined;
    // Only objects an evaluator has seen have a marker; without one there is nothing to mirror to.
    if (!marker) return;
    const notified = new Map<string, number>();
    for (const [key, entry] of entries) {
      if (key === OBJECT_MARKER_KEY) continue;
      const claim = decodeClaim(entry.value);
      // A pending claim is not notified yet. Mirroring it would make a failed send's release a change of
      // the object, whose watch event fires the send again at once: a loop for as long as the receiver fails.
      if (claim.status !== 'pending') notified.set(key, claim.at);
    }
    const value = formatNotifiedAnnotation(notified);
    if (this.#written.has(objectUid) && this.#written.get(objectUid) === value) return;
    const ref = marker.ref;
    // The UID in the patch is a precondition: a new object with the same name is never touched.
    const patch = { metadata: { uid: ref.uid, annotations: { [annotation]: value ?? null } } };
    try {
      await kube.patch(objectPath(ref), patch, 'application/merge-patch+json', this.#stop.signal);
      this.#written.set(objectUid, value);
      // Only a cache to skip patches that change nothing: forget the oldest objects beyond a bound.
      if (this.#written.size > WRITTEN_CACHE_SIZE) this.#written.delete(this.#written.keys().next().value!);
      logger.debug({ object: `${ref.namespace ?? ''}/${ref.name}`, keys: notified.size }, 'notified annotation written');
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 404 || err.status === 409)) {
        // Gone (or replaced by another object of that name): its state has nothing left to guard.
        logger.debug({ object: `${ref.namespace ?? ''}/${ref.name}`, code: err.status }, 'object gone; purging its state');
        for (const [key, entry] of entries) await state.delete(objectUid, key, entry.revision);
        this.#written.delete(objectUid);
        return;
      }
      if (err instanceof KubeApiError && err.status === 403) {
        // Not allowed to patch: dedup still holds (the state bucket is the source of truth), only the mirror
        // is missing. Retrying would not help; say so once per resource type.
        const what = `${ref.resource}${ref.group ? `.${ref.group}` : ''}`;
        if (!this.#forbidden.has(what)) {
          this.#forbidden.add(what);
          logger.warn({ resource: what, err: err.message }, `cannot write the ${annotation} annotation: Herald needs patch on ${what}; notifications are still deduplicated`);
        }
        return;
      }
      throw err;
    }
  }
}

function objectPath(ref: ObjectRef): string {
  return `${collectionPath({ group: ref.group, version: ref.version, resource: ref.resource }, ref.namespace)}/${encodeURIComponent(ref.name)}`;
}
