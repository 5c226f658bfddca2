import type { KvStore } from '@herald/core-bus';
import type { KubeClient } from '@herald/core-kube';
import { systemClock, type ClaimStamp, type Clock, type DeliveryResultData, type NotificationData, type ObjectRef } from '@herald/plugin-sdk';
import { encodeClaim, OBJECT_MARKER_KEY, type Claim } from './claim-codec.ts';
import { viewClaim, type ClaimView } from './claim-view.ts';
import { readLiveAnnotation } from './live-annotation.ts';
import { notifiedAnnotationName, parseNotifiedAnnotation } from './notified-annotation.ts';
import { ObjectClaims } from './object-claims.ts';
import { decideRetryClaim } from './retry-claim.ts';

export interface DedupOptions {
  /** The state bucket (the bus's `state`). */
  kv: KvStore;
  /** `notified.<prefix>` is the annotation adopted from Argo and mirrored. */
  annotationPrefix: string;
  /** The time claims record (default: the system clock every part of Herald shares). */
  clock?: Pick<Clock, 'now'>;
  /**
   * Where the objects live, when their `notified` annotation is mirrored: an object seen for the first time
   * has its annotation read as it is now, not as the event carried it (see adopt). Absent: the event's.
   */
  kube?: KubeClient;
  /**
   * The state bucket's epoch as it is now, from a read made after the call (the bus's `stateEpoch`). With it,
   * an event tagged with the same epoch needs no read from `kube` (see adopt).
   */
  stateEpoch?: () => Promise<string | undefined>;
}

/** What the event that brings an object says about how it was observed. */
export interface Observation {
  /**
   * The state bucket's epoch when the process that read the object connected to the bus (the event's
   * STATE_EPOCH_HEADER); absent when its source did not read it live since then.
   */
  stateEpoch?: string;
}

/** An object's claims, and what its Argo annotation brought the first time Herald saw it. */
export interface Adoption {
  claims: ObjectClaims;
  /** Keys taken over from the annotation now (0 when the object was seen before or had none). */
  adopted: number;
  /** Set when the annotation was there but partly unreadable. */
  problem?: string;
}

/** A key dedup holds for an object: from its claims in the state bucket, or from its `notified` annotation. */
export interface NotifiedEntry {
  status: 'pending' | 'sent' | 'adopted';
  /** Unix seconds of the notification (or of the decision, while pending). */
  at: number;
  from: 'bucket' | 'annotation';
}

/**
 * The keys an object's `notified` annotation holds (`notified.<annotationPrefix>`), as adopting it would
 * take them; for tools without the state bucket (`herald route test` with no NATS).
 */
export function notifiedAnnotationEntries(object: Readonly<Record<string, unknown>>, annotationPrefix: string): Map<string, NotifiedEntry> {
  return notifiedInAnnotation(object, notifiedAnnotationName(annotationPrefix));
}

function notifiedInAnnotation(object: Readonly<Record<string, unknown>>, annotation: string): Map<string, NotifiedEntry> {
  const value = (object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations?.[annotation];
  const { state } = parseNotifiedAnnotation(typeof value === 'string' ? value : undefined);
  return new Map([...state].map(([key, at]) => [key, { status: 'adopted' as const, at, from: 'annotation' as const }]));
}

/** `sent` or `released` the claim; `outdated`: the result is about a claim cleared or made again since. */
export type SettleOutcome = 'sent' | 'released' | 'outdated';

/**
 * What retaking the claim of a dead-lettered notification came to. `claimed`: publish it with this
 * revision; `skip`: it went out (or is going out) again since; `refuse`: sending it now could deliver it
 * twice; `conflict`: the claim kept changing under us.
 */
export type RetakeOutcome =
  | { outcome: 'claimed'; revision: number; claim: ClaimStamp }
  | { outcome: 'skip'; reason: string; revision: number }
  | { outcome: 'refuse'; reason: string }
  | { outcome: 'conflict'; reason: string };

/**
 * No caller's deadline: the Kubernetes client bounds the one request adopting may make. Not a default of
 * `AbortSignal.timeout`, which every event evaluated would pay for whether it read anything or not: a timer
 * per event, firing (with the error it builds) long after the event was done.
 */
const neverAborted = new AbortController().signal;

/**
 * The dedup claim protocol: the only code that reads or writes claims (state bucket, one group of keys
 * per object UID, compare-and-set) and the `notified` annotation. A claim is `pending` from the
 * evaluator's decision to the sink's result, `sent` after a success, `adopted` when taken over from Argo;
 * a final failure deletes it so the condition fires again.
 */
export class Dedup {
  /** The annotation's name, `notified.<prefix>`. */
  readonly annotation: string;
  readonly #kv: KvStore;
  readonly #now: () => number;
  readonly #kube: KubeClient | undefined;
  readonly #stateEpoch: (() => Promise<string | undefined>) | undefined;

  constructor(options: DedupOptions) {
    this.#kv = options.kv;
    this.#kube = options.kube;
    this.#stateEpoch = options.stateEpoch;
    this.annotation = notifiedAnnotationName(options.annotationPrefix);
    const clock = options.clock ?? systemClock;
    this.#now = () => clock.now().getTime();
  }

  /**
   * The object's claims. The first time Herald sees an object, the keys of a `notified` annotation on it
   * become claims: Argo's, so switching from Argo sends nothing twice, and Herald's own mirror after the
   * state bucket was lost (a NATS store wiped), so nothing is sent again under a new claim. Afterwards the
   * annotation is only our mirror and is not read. With `kube`, the annotation is read from the object as
   * it is now: an event published before the mirror wrote it (one a source kept retrying while the store
   * was gone) carries none, and adopting from it would send again what the object says was sent.
   *
   * Unless the event was read since the bucket was made: `observed.stateEpoch` equal to the bucket's epoch now.
   * The bucket then existed before the object was read, so the only mirrors that may have written the
   * annotation after that are this bucket's, and they write only objects with a marker, which this one has
   * not: what the event carries holds everything an earlier bucket's mirror wrote. That spares the apiserver
   * a read per new object, and every object at a first start (docs/benchmarks.md, twenty-first wave).
   */
  async adopt(ref: ObjectRef, object: Readonly<Record<string, unknown>>, observed: Observation = {}, signal: AbortSignal = neverAborted): Promise<Adoption> {
    // The marker and every claim of the object in one read (see ObjectClaims): as current as a read per key.
    const read = await this.#kv.readGroup(ref.uid, { current: true });
    const keys = read.entries;
    if (keys.has(OBJECT_MARKER_KEY)) return { claims: await ObjectClaims.open(this.#kv, ref, this.#now, read), adopted: 0 };
    const annotations = (object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    const carried = annotations?.[this.annotation];
    const live = this.#kube && !(await this.#readSinceBucket(observed)) ? await readLiveAnnotation(this.#kube, ref, this.annotation, signal) : undefined;
    const value = live ? live.value : carried;
    const { state: notified, problem } = parseNotifiedAnnotation(typeof value === 'string' ? value : undefined);
    for (const [key, at] of notified) {
      const adopted = encodeClaim({ status: 'adopted', at });
      const revision = await this.#kv.create(ref.uid, key, adopted, read.deleted.get(key));
      // One already there (made since the read) is left as it is; the claim reads it again when it needs it.
      if (revision !== undefined) keys.set(key, { value: adopted, revision });
    }
    // The read found no marker: ObjectClaims creates it without reading it again. Without an annotation now,
    // the marker says so: the mirror then has nothing to write for it (see changesAnnotation).
    const fresh = value === undefined ? { unannotated: true as const } : {};
    return { claims: await ObjectClaims.open(this.#kv, ref, this.#now, read, fresh), adopted: notified.size, ...(problem ? { problem } : {}) };
  }

  /**
   * Whether the event's object was read after the state bucket was made: the epoch it was tagged with is the
   * bucket's now, read after the caller's read of the object's claims (so from the bucket that read was from).
   * An epoch that cannot be read counts as another.
   */
  async #readSinceBucket(observed: Observation): Promise<boolean> {
    if (observed.stateEpoch === undefined || !this.#stateEpoch) return false;
    return (await this.#stateEpoch().catch(() => undefined)) === observed.stateEpoch;
  }

  /** Gives back a claim whose notification was never published (at its revision only). */
  withdraw(ref: ObjectRef, key: string, revision: number): Promise<boolean> {
    return this.#kv.delete(ref.uid, key, revision);
  }

  /**
   * A sink's result settles the claim it carries: a success marks it `sent`, a final failure releases it.
   * Both are a compare-and-set on the claim's revision the result carries, with no read first: a claim
   * cleared (the condition went false) or made again since has another revision (a delete is a write of its
   * own), so the write fails and the result is `outdated`, which is what a read comparing the revision
   * decided. A redelivered result finds the revision its first handling wrote and is outdated too. Writing
   * `sent` needs the claim's time and state (the annotation shows the one, a stale redelivery of an older
   * state may not release a claim made by a newer one), which the result carries from the notification; a
   * result published before results carried them reads the claim first, as it always did.
   */
  async settle(result: DeliveryResultData): Promise<SettleOutcome> {
    const uid = result.ref.uid;
    if (!result.succeeded) return (await this.#kv.delete(uid, result.stateKey, result.claimRevision)) ? 'released' : 'outdated';
    let claim: Pick<Claim, 'at' | 'rv'> | undefined = result.claim;
    if (!claim) {
      const entry = await this.#kv.get(uid, result.stateKey);
      // The claim was cleared (condition went false) or made again since: this result is about an old one.
      if (!entry || entry.revision !== result.claimRevision) return 'outdated';
      claim = viewClaim(entry);
    }
    const sent = encodeClaim({ status: 'sent', at: claim.at, ...(claim.rv ? { rv: claim.rv } : {}) });
    return (await this.#kv.update(uid, result.stateKey, sent, result.claimRevision)) === undefined ? 'outdated' : 'sent';
  }

  /**
   * Claims a dead-lettered notification again before it is put back on its subject (see decideRetryClaim).
   * `letter` names the dead letter: claims made by retrying it carry that name. The notification goes out
   * with the revision and `claim` of the claim retaken, not the letter's.
   */
  async retakeForRetry(n: NotificationData, letter: { stream: string; id: number }, duplicateWindowMs: number): Promise<RetakeOutcome> {
    const uid = n.ref.uid;
    const marker = `dlq-retry:${letter.stream}:${letter.id}`;
    const at = Math.floor(this.#now() / 1000);
    const pending = encodeClaim({ status: 'pending', at, event: marker });
    // Compare-and-set: an evaluator or the state role may change the claim meanwhile; decide again then.
    for (let round = 0; round < 5; round++) {
      const current = await this.read(uid, n.stateKey);
      const decision = decideRetryClaim(current, n.claimRevision, marker, this.#now(), duplicateWindowMs);
      if (decision.action === 'refuse') return { outcome: 'refuse', reason: decision.reason };
      if (decision.action === 'skip') return { outcome: 'skip', reason: decision.reason, revision: decision.revision };
      if (decision.action === 'resume') return { outcome: 'claimed', revision: decision.revision, claim: { at: current!.at } };
      const revision = decision.action === 'create' ? await this.#kv.create(uid, n.stateKey, pending) : await this.#kv.update(uid, n.stateKey, pending, decision.revision);
      if (revision !== undefined) return { outcome: 'claimed', revision, claim: { at } };
    }
    return { outcome: 'conflict', reason: `the claim of ${n.stateKey} kept changing; try again` };
  }

  /**
   * What dedup holds for these keys of an object, read only (`herald route test`): its claims when Herald has
   * seen the object, else what its `notified` annotation would bring when adopted. Claims nothing.
   */
  async inspect(ref: ObjectRef, object: Readonly<Record<string, unknown>>, keys: readonly string[]): Promise<Map<string, NotifiedEntry>> {
    const out = new Map<string, NotifiedEntry>();
    if (!(await this.#kv.get(ref.uid, OBJECT_MARKER_KEY))) {
      for (const [key, entry] of notifiedInAnnotation(object, this.annotation)) if (keys.includes(key)) out.set(key, entry);
      return out;
    }
    for (const key of keys) {
      const claim = await this.read(ref.uid, key);
      if (claim) out.set(key, { status: claim.status, at: claim.at, from: 'bucket' });
    }
    return out;
  }

  /** The claim of `key` on the object, as it is now. */
  async read(objectUid: string, key: string): Promise<ClaimView | undefined> {
    const entry = await this.#kv.get(objectUid, key);
    return entry ? viewClaim(entry) : undefined;
  }
}
