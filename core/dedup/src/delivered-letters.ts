import { decodeEnvelope, originalPayload, type DeadLetter } from '@herald/core-bus';
import { EventTypes, type Logger, type NotificationData } from '@herald/plugin-sdk';
import type { ClaimView } from './claim-view.ts';

/**
 * Whether the notification a dead letter holds went out since it failed: its claim now is `sent` and newer
 * than the claim of the send that failed (a final failure releases that claim, so the condition fires again
 * and claims anew). A claim being sent (`pending`), none (the condition is false now), or the failed one
 * itself say no.
 */
export function deliveredSince(claim: ClaimView | undefined, failedRevision: number): boolean {
  return claim !== undefined && claim.status === 'sent' && claim.revision > failedRevision;
}

export interface DeliveredLettersOptions {
  /** The newest dead letter of each notification that has one, in the order of their subjects, those after `after`, at most `limit`. */
  letters(limit: number, after?: string): Promise<DeadLetter[]>;
  /** Deletes the letter and older ones of its notification, not a newer one. */
  remove(letter: DeadLetter): Promise<number>;
  /** The claim of `key` on the object, as it is now. */
  read(objectUid: string, key: string): Promise<ClaimView | undefined>;
  logger: Logger;
  /** Letters looked at per sweep (default 1,000): a sweep's cost is bounded whatever waits in the stream. */
  limit?: number;
  /** Where the sweep before stopped (its `next`): the letters after it are looked at first. */
  after?: string;
}

/**
 * Removes the dead letters of notifications delivered since they failed, so that what `herald dlq list`, the
 * dead-letter gauge and its alert show is what still needs someone: a destination that came back took the
 * notification again (a resync, the object's next change), and its letter is history that logs, metrics and
 * traces keep. A letter whose notification has not gone out, or that cannot be read, stays. Returns how many
 * letters were removed, and where to go on at the next sweep when this one stopped at its limit (so that
 * letters that stay do not hide the others from every sweep).
 */
export async function removeDeliveredLetters(options: DeliveredLettersOptions): Promise<{ removed: number; next?: string }> {
  const limit = options.limit ?? 1_000;
  const letters = await options.letters(limit, options.after);
  let removed = 0;
  for (const letter of letters) {
    if (!letter.data) continue;
    const decoded = decodeEnvelope<NotificationData>(originalPayload(letter.data), EventTypes.notification);
    if (!decoded.ok) continue;
    const n = decoded.event.data;
    const claim = await options.read(n.ref.uid, n.stateKey);
    if (!deliveredSince(claim, n.claimRevision)) continue;
    const count = await options.remove(letter);
    removed += count;
    if (count > 0) {
      options.logger.info(
        { object: `${n.ref.namespace ?? ''}/${n.ref.name}`, trigger: n.trigger, destination: n.destination, stateKey: n.stateKey, letter: letter.id, claimRevision: claim!.revision },
        'dead letter removed: its notification was delivered since',
      );
    }
  }
  return letters.length < limit ? { removed } : { removed, next: letters[letters.length - 1]!.subject };
}
