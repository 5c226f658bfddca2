import { BusErrorCodes, decodeEnvelope, originalPayload, retryMessageId, type DeadLetter, type DeadLetterStore } from '@herald/core-bus';
import { decodeClaim, encodeClaim } from '@herald/core-evaluator';
import { EventTypes, isHeraldError, type DeadLetterData, type NotificationData, type StateEntry, type StateStore } from '@herald/plugin-sdk';

/**
 * What became of one letter. `retried`: the original is back on its subject and the letter deleted;
 * `skipped`: nothing to send (the notification went out again since), letter deleted; `refused`: it cannot
 * be sent again safely, letter kept; `failed`: an error, letter kept.
 */
export interface RetryOutcome {
  id: number;
  outcome: 'retried' | 'skipped' | 'refused' | 'failed';
  channel?: string;
  reason?: string;
  subject?: string;
  msgId?: string;
  /** Notifications: the claim the retried notification carries, or the one that made it skip. */
  claimRevision?: number;
}

/** What to do with the dedup claim of a dead-lettered notification. */
export type ClaimDecision =
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
export function decideClaim(entry: StateEntry | undefined, n: NotificationData, marker: string, nowMs: number, duplicateWindowMs: number): ClaimDecision {
  if (!entry) return { action: 'create' };
  const claim = decodeClaim(entry.value);
  if (claim.status === 'pending' && claim.event === marker) {
    // Claims keep seconds: leave a margin so the repeat surely lands inside the window.
    if (nowMs - claim.at * 1000 < duplicateWindowMs - 5_000) return { action: 'resume', revision: entry.revision };
    return {
      action: 'refuse',
      reason: `an earlier retry of this letter claimed it (revision ${entry.revision}) but its publish was not confirmed, and a repeat now could be delivered twice; see whether it went out, then delete the letter (or the claim)`,
    };
  }
  if (claim.status === 'pending' && entry.revision === n.claimRevision) return { action: 'take-over', revision: entry.revision };
  return { action: 'skip', revision: entry.revision, reason: `already sent again since (claim ${claim.status} at revision ${entry.revision})` };
}

export interface RetryContext {
  store: DeadLetterStore;
  state: () => Promise<StateStore>;
  now?: () => number;
}

export async function retryLetter(letter: DeadLetter, ctx: RetryContext): Promise<RetryOutcome> {
  const base = { id: letter.id, channel: letter.channel };
  if (!letter.data) return { ...base, outcome: 'refused', reason: `not a readable dead letter (${letter.problem ?? 'unknown'})` };
  const data = letter.data;
  if (data.original.truncated && data.original.sequence === 0) {
    return { ...base, outcome: 'refused', reason: `its publisher could not publish it (${data.code}) and kept only what it was about; fix the cause, and the next change is published` };
  }
  if (data.original.truncated) {
    return {
      ...base,
      outcome: 'refused',
      reason: `its payload was cut to fit the dead-letter stream and cannot be sent as it was (the whole original stays in ${data.original.stream} at sequence ${data.original.sequence} until that stream's max age)`,
    };
  }
  if (letter.channel === 'notifications') return retryNotification(letter as DeadLetter & { data: DeadLetterData }, ctx);
  const msgId = retryMessageId(letter as DeadLetter & { data: DeadLetterData });
  try {
    await ctx.store.republish(data, originalPayload(data), msgId);
  } catch (err) {
    return { ...base, outcome: 'failed', reason: messageOf(err) };
  }
  return { ...base, outcome: 'retried', subject: data.original.subject, msgId, ...(await removeLetter(ctx, letter.id)) };
}

async function retryNotification(letter: DeadLetter & { data: DeadLetterData }, ctx: RetryContext): Promise<RetryOutcome> {
  const base = { id: letter.id, channel: letter.channel };
  const data = letter.data;
  const payload = originalPayload(data);
  const decoded = decodeEnvelope<NotificationData>(payload, EventTypes.notification);
  if (!decoded.ok) return { ...base, outcome: 'refused', reason: `the original is not a valid notification (${decoded.reason})` };
  const n = decoded.event.data;
  const sink = `herald-sink-${n.destination.serviceType}`;
  if (data.consumer !== sink) {
    // The sink may well have delivered it: putting it back on its subject would make the sink send it again.
    return { ...base, outcome: 'refused', reason: `dead-lettered by ${data.consumer}, not by the sink (${sink}); sending it again could deliver it twice` };
  }
  const now = ctx.now ?? Date.now;
  const state = await ctx.state();
  const uid = n.ref.uid;
  const marker = `dlq-retry:${ctx.store.stream}:${letter.id}`;
  const pending = encodeClaim({ status: 'pending', at: Math.floor(now() / 1000), event: marker });
  // Compare-and-set: an evaluator or the state role may change the claim meanwhile; decide again then.
  for (let round = 0; round < 5; round++) {
    const decision = decideClaim(await state.get(uid, n.stateKey), n, marker, now(), ctx.store.topology.options.duplicateWindowMs);
    if (decision.action === 'refuse') return { ...base, outcome: 'refused', reason: decision.reason };
    if (decision.action === 'skip') {
      const kept = await removeLetter(ctx, letter.id);
      return { ...base, outcome: 'skipped', reason: [decision.reason, kept.reason].filter(Boolean).join('; '), claimRevision: decision.revision };
    }
    const revision =
      decision.action === 'create'
        ? await state.create(uid, n.stateKey, pending)
        : decision.action === 'take-over'
          ? await state.update(uid, n.stateKey, pending, decision.revision)
          : decision.revision;
    if (revision === undefined) continue;
    return publishNotification(letter, ctx, state, revision);
  }
  return { ...base, outcome: 'failed', reason: `the claim of ${n.stateKey} kept changing; try again` };
}

async function publishNotification(letter: DeadLetter & { data: DeadLetterData }, ctx: RetryContext, state: StateStore, revision: number): Promise<RetryOutcome> {
  const base = { id: letter.id, channel: letter.channel };
  const data = letter.data;
  // Rebuilt from the original JSON, so attributes and fields this version does not know travel on.
  const envelope = JSON.parse(new TextDecoder().decode(originalPayload(data))) as { data: NotificationData } & Record<string, unknown>;
  const n = envelope.data;
  const msgId = `${n.idempotencyKey}:${revision}`;
  const payload = new TextEncoder().encode(JSON.stringify({ ...envelope, id: msgId, data: { ...n, claimRevision: revision } }));
  try {
    await ctx.store.republish(data, payload, msgId);
  } catch (err) {
    if (isHeraldError(err) && err.code === BusErrorCodes.publishRejected) {
      // Refused, so nothing was stored: give the claim back as the failed send left it.
      await state.delete(n.ref.uid, n.stateKey, revision).catch(() => undefined);
      return { ...base, outcome: 'failed', reason: `${messageOf(err)}; the claim was released` };
    }
    // Maybe stored, maybe not: keep the claim, so that nothing can send it twice.
    return {
      ...base,
      outcome: 'failed',
      claimRevision: revision,
      reason: `${messageOf(err)}; the claim (revision ${revision}) is kept: retry this letter again within ${Math.round(ctx.store.topology.options.duplicateWindowMs / 1000)} s, when a repeat is safe`,
    };
  }
  return { ...base, outcome: 'retried', subject: data.original.subject, msgId, claimRevision: revision, ...(await removeLetter(ctx, letter.id)) };
}

/** Sent again but still listed is only untidy (a second retry is dropped or skipped): say so, go on. */
async function removeLetter(ctx: RetryContext, id: number): Promise<{ reason?: string }> {
  try {
    await ctx.store.remove(id);
    return {};
  } catch (err) {
    return { reason: `the letter could not be deleted: ${messageOf(err)}` };
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
