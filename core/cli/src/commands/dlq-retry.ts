import { BusErrorCodes, decodeEnvelope, originalPayload, retryMessageId, type DeadLetter, type DeadLetterStore } from '@herald/core-bus';
import type { Dedup } from '@herald/core-dedup';
import { EventTypes, isHeraldError, type ClaimStamp, type DeadLetterData, type NotificationData } from '@herald/plugin-sdk';

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

export interface RetryContext {
  store: DeadLetterStore;
  /** The claim protocol over the state bucket, opened on first use (only notifications need it). */
  dedup: () => Promise<Dedup>;
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
  const dedup = await ctx.dedup();
  const retake = await dedup.retakeForRetry(n, { stream: ctx.store.stream, id: letter.id }, ctx.store.topology.options.duplicateWindowMs);
  switch (retake.outcome) {
    case 'refuse':
      return { ...base, outcome: 'refused', reason: retake.reason };
    case 'conflict':
      return { ...base, outcome: 'failed', reason: retake.reason };
    case 'skip': {
      const kept = await removeLetter(ctx, letter.id);
      return { ...base, outcome: 'skipped', reason: [retake.reason, kept.reason].filter(Boolean).join('; '), claimRevision: retake.revision };
    }
    case 'claimed':
      return publishNotification(letter, ctx, dedup, retake.revision, retake.claim);
  }
}

async function publishNotification(letter: DeadLetter & { data: DeadLetterData }, ctx: RetryContext, dedup: Dedup, revision: number, claim: ClaimStamp): Promise<RetryOutcome> {
  const base = { id: letter.id, channel: letter.channel };
  const data = letter.data;
  // Rebuilt from the original JSON, so attributes and fields this version does not know travel on.
  const envelope = JSON.parse(new TextDecoder().decode(originalPayload(data))) as { data: NotificationData } & Record<string, unknown>;
  const n = envelope.data;
  const msgId = `${n.idempotencyKey}:${revision}`;
  const payload = new TextEncoder().encode(JSON.stringify({ ...envelope, id: msgId, data: { ...n, claimRevision: revision, claim } }));
  try {
    await ctx.store.republish(data, payload, msgId);
  } catch (err) {
    if (isHeraldError(err) && err.code === BusErrorCodes.publishRejected) {
      // Refused, so nothing was stored: give the claim back as the failed send left it.
      await dedup.withdraw(n.ref, n.stateKey, revision).catch(() => undefined);
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
