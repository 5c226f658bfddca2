import type { ClaimView } from './claim-view.ts';

/** What to do with the dedup claim of a dead-lettered notification sent again (`herald dlq retry`). */
export type RetryClaimDecision =
  | { action: 'create' }
  | { action: 'take-over'; revision: number }
  | { action: 'resume'; revision: number }
  | { action: 'skip'; reason: string; revision: number }
  | { action: 'refuse'; reason: string };

/**
 * Decides from the claim now in the state bucket. A final delivery failure releases the claim, and the
 * condition may have fired again since: a claim made since means the notification went out (or is going
 * out) again. The claim of the failed send itself, at the letter's revision and still pending, means the
 * state role has not settled the failure yet: it is replaced. `marker` identifies claims made by
 * retrying this very letter: one whose publish was not confirmed is published again with the same id,
 * but only within the duplicate window, where the bus drops it if the first one got through.
 */
export function decideRetryClaim(claim: ClaimView | undefined, letterRevision: number, marker: string, nowMs: number, duplicateWindowMs: number): RetryClaimDecision {
  if (!claim) return { action: 'create' };
  if (claim.status === 'pending' && claim.event === marker) {
    // Claims keep seconds: leave a margin so the repeat surely lands inside the window.
    if (nowMs - claim.at * 1000 < duplicateWindowMs - 5_000) return { action: 'resume', revision: claim.revision };
    return {
      action: 'refuse',
      reason: `an earlier retry of this letter claimed it (revision ${claim.revision}) but its publish was not confirmed, and a repeat now could be delivered twice; see whether it went out, then delete the letter (or the claim)`,
    };
  }
  if (claim.status === 'pending' && claim.revision === letterRevision) return { action: 'take-over', revision: claim.revision };
  return { action: 'skip', revision: claim.revision, reason: `already sent again since (claim ${claim.status} at revision ${claim.revision})` };
}
