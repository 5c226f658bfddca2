import type { KvStore } from '@herald/core-bus';
import type { ClaimStamp, ObjectRef, StoreEntry } from '@herald/plugin-sdk';
import { decodeClaim, decodeMarker, encodeClaim, encodeMarker, OBJECT_MARKER_KEY, type ObjectMarker } from './claim-codec.ts';
import { olderVersion } from './resource-version.ts';

/**
 * What claiming a state key came to. `claimed`: publish the notification with this claim's revision (a new
 * claim, or the claim this very event made before its handling died: the bus drops the copy if the first
 * publish got through). `held`: notified already, or another evaluator claimed it first and sends.
 * `stale`: an older state of the object than one that already released a claim; nothing is claimed. `claim`:
 * the claim's time and object state, for the notification to carry (see Dedup.settle).
 */
export type ClaimOutcome = { outcome: 'claimed'; revision: number; claim: ClaimStamp } | { outcome: 'held' } | { outcome: 'stale'; newer: string };

/** What releasing a state key came to. `stale`: a newer state of the object made the claim; it stays. */
export type ReleaseOutcome = { outcome: 'released' } | { outcome: 'absent' } | { outcome: 'stale'; newer: string };

/** Who makes a claim: the resource event (its id) and the object's state (its resourceVersion). */
export interface ClaimOrigin {
  eventId: string;
  rv: string;
}

/** An object's keys as one read found them: the live ones, and the revision of each one deleted. */
export interface ObjectRead {
  entries: ReadonlyMap<string, StoreEntry>;
  deleted: ReadonlyMap<string, number>;
}

interface MarkerEntry {
  value: ObjectMarker;
  revision: number;
}

/**
 * The claims of one object while one of its events is evaluated (get it from Dedup.adopt). It keeps the
 * object's marker, with the newest resourceVersion that released a claim: an older state of the object
 * that comes again (a redelivery whose acknowledgement the server lost) neither claims nor releases.
 *
 * It also keeps the object's claims as one read found them when the event's handling began (and as this
 * handling wrote them since): a claim or release decides from them instead of reading its key again, one
 * round trip per object instead of one per key. That read is as current as a read per key would have been
 * (see KvStore `current`); what it misses, a change made between it and the decision, is what a read per key
 * missed between the read and the write. Every write is still a compare-and-set, and a failed one reads the
 * key again and decides from what is there.
 */
export class ObjectClaims {
  readonly #kv: KvStore;
  readonly #ref: ObjectRef;
  readonly #now: () => number;
  readonly #claims: Map<string, StoreEntry>;
  /** Revision of each released claim's delete, as the read found them (a claim made again expects it). */
  readonly #released: ReadonlyMap<string, number>;
  #marker: MarkerEntry;

  private constructor(kv: KvStore, ref: ObjectRef, marker: MarkerEntry, read: ObjectRead, now: () => number) {
    this.#kv = kv;
    this.#ref = ref;
    this.#marker = marker;
    this.#claims = new Map(read.entries);
    this.#claims.delete(OBJECT_MARKER_KEY);
    this.#released = read.deleted;
    this.#now = now;
  }

  /**
   * The object's claims from `read`, a current read of its whole group (marker included); an absent (purged)
   * or unreadable marker is written afresh, as `fresh` says when it was absent (see Dedup.adopt).
   */
  static async open(kv: KvStore, ref: ObjectRef, now: () => number, read: ObjectRead, fresh: Omit<ObjectMarker, 'ref'> = {}): Promise<ObjectClaims> {
    return new ObjectClaims(kv, ref, await readMarker(kv, ref, read.entries.get(OBJECT_MARKER_KEY), fresh), read, now);
  }

  /** Claims `key` for a notification (compare-and-set: of two evaluators, one gets it). */
  async claim(key: string, origin: ClaimOrigin): Promise<ClaimOutcome> {
    const { uid } = this.#ref;
    const existing = this.#claims.get(key);
    if (existing) return this.#claimedBefore(existing, origin);
    // An older state than one that already released a claim of this object: the server lost an
    // acknowledgement and redelivers what was evaluated before. Claiming now would send it again.
    const released = this.#marker.value.released;
    if (olderVersion(origin.rv, released)) return { outcome: 'stale', newer: released! };
    const at = this.#seconds();
    const value = encodeClaim({ status: 'pending', at, event: origin.eventId, rv: origin.rv });
    // A claim released before (the condition's previous edge): its delete is the key's last change, and the
    // create expects it rather than finding it out (two more round trips per notification that fires again).
    const revision = await this.#kv.create(uid, key, value, this.#released.get(key));
    if (revision !== undefined) {
      this.#claims.set(key, { value, revision });
      return { outcome: 'claimed', revision, claim: { at, rv: origin.rv } };
    }
    // Claimed since the object was read: by another evaluator (it sends), or by an earlier handling of this
    // very event still running somewhere; what is there now decides, as a read before the write would have.
    const now = await this.#kv.get(uid, key);
    if (!now) return { outcome: 'held' };
    this.#claims.set(key, now);
    return this.#claimedBefore(now, origin);
  }

  /** An existing claim: this event's own pending one is claimed again, any other holds. */
  #claimedBefore(existing: StoreEntry, origin: ClaimOrigin): ClaimOutcome {
    const claim = decodeClaim(existing.value);
    // This event made the claim and is back (its first handling died before the ack): publish again.
    if (claim.status !== 'pending' || claim.event !== origin.eventId) return { outcome: 'held' };
    return { outcome: 'claimed', revision: existing.revision, claim: { at: claim.at, ...(claim.rv ? { rv: claim.rv } : {}) } };
  }

  /** Releases `key` because its condition turned false at `rv`, so the next false→true edge fires again. */
  async release(key: string, rv: string): Promise<ReleaseOutcome> {
    const { uid } = this.#ref;
    // Compare-and-set: the state role may settle the claim (pending → sent) between the read and the
    // delete. Giving up then would leave the claim, and the condition's next edge would send nothing.
    for (let existing = this.#claims.get(key); ; existing = await this.#kv.get(uid, key)) {
      if (!existing) {
        this.#claims.delete(key);
        return { outcome: 'absent' };
      }
      const claimedAt = decodeClaim(existing.value).rv;
      // A newer state made this claim: this one is a stale redelivery and may not release it.
      if (olderVersion(rv, claimedAt)) return { outcome: 'stale', newer: claimedAt! };
      // The watermark first: once the claim is gone, older states of the object must not claim again.
      await this.#raiseWatermark(rv);
      if (await this.#kv.delete(uid, key, existing.revision)) {
        this.#claims.delete(key);
        return { outcome: 'released' };
      }
    }
  }

  /** Records `rv` as the newest state that released a claim (compare-and-set; never lowers it). */
  async #raiseWatermark(rv: string): Promise<void> {
    for (let entry = this.#marker; ; ) {
      if (entry.value.released !== undefined && !olderVersion(entry.value.released, rv)) {
        this.#marker = entry;
        return;
      }
      const value: ObjectMarker = { ...entry.value, released: rv };
      const revision = await this.#kv.update(this.#ref.uid, OBJECT_MARKER_KEY, encodeMarker(value), entry.revision);
      if (revision !== undefined) {
        this.#marker = { value, revision };
        return;
      }
      // Another writer changed the marker: read it again.
      entry = await readMarker(this.#kv, this.#ref);
    }
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}

/**
 * The marker from `first` (what a read found: absent too), else read now; written afresh when absent (with
 * `absent`'s fields) or unreadable (bare: nothing is known of what the object's annotation held).
 */
async function readMarker(kv: KvStore, ref: ObjectRef, first: StoreEntry | undefined | null = null, absent: Omit<ObjectMarker, 'ref'> = {}): Promise<MarkerEntry> {
  for (let entry = first === null ? await kv.get(ref.uid, OBJECT_MARKER_KEY) : first; ; entry = await kv.get(ref.uid, OBJECT_MARKER_KEY)) {
    const value = entry ? decodeMarker(entry.value) : undefined;
    if (entry && value) return { value, revision: entry.revision };
    const fresh: ObjectMarker = entry ? { ref } : { ref, ...absent };
    const revision = entry ? await kv.update(ref.uid, OBJECT_MARKER_KEY, encodeMarker(fresh), entry.revision) : await kv.create(ref.uid, OBJECT_MARKER_KEY, encodeMarker(fresh));
    if (revision !== undefined) return { value: fresh, revision };
  }
}
