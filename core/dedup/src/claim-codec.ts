import type { ObjectRef } from '@herald/plugin-sdk';

// The encoding of claims and object markers in the state bucket. Only core/dedup reads or writes it (an
// ESLint rule keeps it so): what a claim means is decided in one place.

/**
 * A dedup claim in the state bucket, one per state key of an object. `pending` from the moment an evaluator
 * decided to send until the sink's result; `sent` after it; `adopted` when taken over from an Argo
 * `notified` annotation. A failed send deletes the claim, so the condition fires again.
 */
export interface Claim {
  status: 'pending' | 'sent' | 'adopted';
  /** Unix seconds of the decision: the value the `notified` annotation shows. */
  at: number;
  /** CloudEvents id of the resource event that made the claim; a redelivery of it publishes again. */
  event?: string;
  /** resourceVersion of the object state that made the claim: an older state may not clear it. */
  rv?: string;
}

/** Where an object lives, kept beside its claims so the annotation mirror can patch it. */
export interface ObjectMarker {
  ref: ObjectRef;
  /**
   * The newest resourceVersion whose evaluation released a claim (a condition turned false). An older state
   * of the object that comes again (a redelivery whose acknowledgement the server lost) may not claim.
   */
  released?: string;
  /**
   * The object had no `notified` annotation when Herald first saw it (see Dedup.adopt). Its annotation then
   * holds only what the mirror wrote from claims sent or adopted since, each a change the mirror follows on its
   * own: the marker's writes need no patch. Absent (a marker written before this was kept, or written afresh
   * over an unreadable one): every marker write is mirrored, as before.
   */
  unannotated?: true;
}

/** Key of the object marker: never an Argo state key, which always has several colons. */
export const OBJECT_MARKER_KEY = '~object';

export function encodeClaim(claim: Claim): string {
  return JSON.stringify(claim);
}

/** Reads a claim; anything unreadable counts as an old `sent` claim rather than losing the dedup. */
export function decodeClaim(value: string): Claim {
  try {
    const parsed = JSON.parse(value) as Partial<Claim>;
    if ((parsed.status === 'pending' || parsed.status === 'sent' || parsed.status === 'adopted') && typeof parsed.at === 'number') {
      return {
        status: parsed.status,
        at: parsed.at,
        ...(typeof parsed.event === 'string' ? { event: parsed.event } : {}),
        ...(typeof parsed.rv === 'string' ? { rv: parsed.rv } : {}),
      };
    }
  } catch {
    // fall through
  }
  return { status: 'sent', at: 0 };
}

export function encodeMarker(marker: ObjectMarker): string {
  return JSON.stringify(marker);
}

export function decodeMarker(value: string): ObjectMarker | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<ObjectMarker>;
    return parsed.ref && typeof parsed.ref.uid === 'string' ? (parsed as ObjectMarker) : undefined;
  } catch {
    return undefined;
  }
}
