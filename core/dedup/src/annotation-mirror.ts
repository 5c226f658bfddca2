import type { KvStore } from '@herald/core-bus';
import { KubeApiError, type KubeClient } from '@herald/core-kube';
import type { Logger, ObjectRef, StoreEntry } from '@herald/plugin-sdk';
import { decodeClaim, decodeMarker, OBJECT_MARKER_KEY } from './claim-codec.ts';
import { DedupError, DedupErrorCodes } from './errors.ts';
import { objectPath } from './live-annotation.ts';
import { formatNotifiedAnnotation, notifiedAnnotationName } from './notified-annotation.ts';

// Write-and-verify rounds of one sync before it gives up and lets the change come back later.
const MAX_WRITE_ROUNDS = 3;

export interface AnnotationMirrorOptions {
  /** The state bucket. */
  kv: KvStore;
  kube: KubeClient;
  logger: Logger;
  /** The annotation is `notified.<prefix>`. */
  annotationPrefix: string;
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
  /** The newest change each scheduled patch must include (bucket revision), by object UID. */
  readonly #floors = new Map<string, number>();
  readonly #stop = new AbortController();
  readonly #forbidden = new Set<string>();
  readonly #annotation: string;

  constructor(options: AnnotationMirrorOptions) {
    this.#options = options;
    this.#annotation = notifiedAnnotationName(options.annotationPrefix);
  }

  /**
   * Resolves once a patch that includes every change made before this call is done. `revision`: the state
   * bucket's revision of the change this call reacts to; the patch is written from a read that has it (on a
   * cluster, a follower just back from a partition may answer a read with what it had before).
   */
  sync(objectUid: string, revision?: number): Promise<void> {
    if (revision !== undefined) this.#floors.set(objectUid, Math.max(revision, this.#floors.get(objectUid) ?? 0));
    const pending = this.#scheduled.get(objectUid);
    if (pending) return pending;
    const previous = this.#running.get(objectUid) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => new Promise((r) => setTimeout(r, this.#options.coalesceMs)))
      .then(() => {
        // From here on, new changes need another patch.
        this.#scheduled.delete(objectUid);
        const floor = this.#floors.get(objectUid);
        this.#floors.delete(objectUid);
        const run = this.#write(objectUid, floor);
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

  /**
   * Writes the annotation from the claims, then reads the claims again: several state processes share the
   * mirror's consumer, so another one may have written from an older read after this one read, or this
   * one's patch may land after a newer one. Writing until what was written is still what the claims say
   * leaves the annotation matching the bucket, whoever writes last. Every read is at least as new as the
   * change being mirrored and as the previous read's claims, so no round writes from an older view.
   *
   * The check after a write is a current read (the bucket's leader, on a cluster): it must see every change
   * another process may have mirrored before this patch landed. A copy that is behind (a server just
   * restarted on its store) would show this process its own older view again, and the patch that undid
   * a newer one would stand: the cluster fault suite's kill-leader found Pods whose annotation lacked a
   * claim sent.
   */
  async #write(objectUid: string, floor: number | undefined): Promise<void> {
    const read = async (atLeast: number | undefined, current: boolean) => this.#options.kv.entries(objectUid, { ...(atLeast === undefined ? {} : { atLeast }), current });
    let entries = await read(floor, false);
    for (let round = 1; ; round++) {
      const written = await this.#patch(objectUid, entries);
      if (written === undefined) return;
      floor = Math.max(floor ?? 0, ...[...entries.values()].map((e) => e.revision));
      entries = await read(floor, true);
      if (notifiedValue(entries)?.value === written) return;
      // Still changing after a few rounds: the change comes back through the consumer (see sync's caller).
      if (round >= MAX_WRITE_ROUNDS) {
        throw new DedupError(DedupErrorCodes.mirrorUnsettled, `the claims of ${objectUid} kept changing while their annotation was written`, { retryable: true });
      }
    }
  }

  /** Patches the annotation to what `entries` say; the value written, or undefined when nothing was. */
  async #patch(objectUid: string, entries: Map<string, StoreEntry>): Promise<string | null | undefined> {
    const { kv, kube, logger } = this.#options;
    const annotation = this.#annotation;
    const mirrored = notifiedValue(entries);
    // Only objects an evaluator has seen have a marker; without one there is nothing to mirror to.
    if (!mirrored) return undefined;
    const { ref, value, keys } = mirrored;
    // The UID in the patch is a precondition: a new object with the same name is never touched. No cache
    // of what was written skips this: another state process may have written something else since, and a
    // patch that changes nothing costs the apiserver no write and the watchers no event.
    const patch = { metadata: { uid: ref.uid, annotations: { [annotation]: value } } };
    try {
      await kube.patch(objectPath(ref), patch, 'application/merge-patch+json', this.#stop.signal);
      logger.debug({ object: `${ref.namespace ?? ''}/${ref.name}`, keys }, 'notified annotation written');
      return value;
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 404 || err.status === 409)) {
        // Gone (or replaced by another object of that name): its state has nothing left to guard.
        logger.debug({ object: `${ref.namespace ?? ''}/${ref.name}`, code: err.status }, 'object gone; purging its state');
        for (const [key, entry] of entries) await kv.delete(objectUid, key, entry.revision);
        return undefined;
      }
      if (err instanceof KubeApiError && err.status === 403) {
        // Not allowed to patch: dedup still holds (the state bucket is the source of truth), only the mirror
        // is missing. Retrying would not help; say so once per resource type.
        const what = `${ref.resource}${ref.group ? `.${ref.group}` : ''}`;
        if (!this.#forbidden.has(what)) {
          this.#forbidden.add(what);
          logger.warn({ resource: what, err: err.message }, `cannot write the ${annotation} annotation: Herald needs patch on ${what}; notifications are still deduplicated`);
        }
        return undefined;
      }
      throw err;
    }
  }
}

/** One changed key of an object's claims (the marker's too): what was written, undefined when deleted. */
export interface ClaimChange {
  key: string;
  value: string | undefined;
}

/**
 * Whether a change of an object's keys can change its annotation. The annotation follows the sent and
 * adopted claims and the marker (see notifiedValue); a pending claim is not in it. A pending claim is
 * written only where there was none or a pending one (an evaluator's claim, a retry taking over the failed
 * send's claim): a claim that stopped being sent or adopted was deleted first, and that delete is a change
 * of its own. So a pending claim written changes nothing the annotation shows, and skipping it saves a
 * read of the claims and a patch per notification.
 *
 * The marker of an object that had no annotation when Herald first saw it (`unannotated`) changes nothing
 * either: there was nothing of Argo's to rewrite or remove, and whatever the mirror wrote since came from a
 * claim sent or adopted, whose changes (a release's delete too) are mirrored on their own. That skips a read,
 * a patch with nothing to write and a read again for each object Herald sees for the first time (every
 * object at the first start). Every other change (a settle, a release, any other marker write, an unreadable
 * value) is mirrored.
 */
export function changesAnnotation(change: ClaimChange): boolean {
  if (change.value === undefined) return true;
  if (change.key === OBJECT_MARKER_KEY) return decodeMarker(change.value)?.unannotated !== true;
  // An unreadable value reads as a sent claim: mirrored.
  return decodeClaim(change.value).status !== 'pending';
}

/** The annotation the claims call for (null: none), and where it goes; undefined without an object marker. */
function notifiedValue(entries: Map<string, StoreEntry>): { ref: ObjectRef; value: string | null; keys: number } | undefined {
  const markerEntry = entries.get(OBJECT_MARKER_KEY);
  const marker = markerEntry ? decodeMarker(markerEntry.value) : undefined;
  if (!marker) return undefined;
  const notified = new Map<string, number>();
  for (const [key, entry] of entries) {
    if (key === OBJECT_MARKER_KEY) continue;
    const claim = decodeClaim(entry.value);
    // A pending claim is not notified yet. Mirroring it would make a failed send's release a change of
    // the object, whose watch event fires the send again at once: a loop for as long as the receiver fails.
    if (claim.status !== 'pending') notified.set(key, claim.at);
  }
  return { ref: marker.ref, value: formatNotifiedAnnotation(notified) ?? null, keys: notified.size };
}
