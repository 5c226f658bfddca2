import { JetStreamApiError } from '@nats-io/jetstream';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { BusError, BusErrorCodes } from './errors.ts';

/**
 * JetStream API errors the server itself calls temporary: 10008 "JetStream system temporarily unavailable"
 * (no meta leader, as while a cluster elects one after a partition heals) and 10163 "expected last sequence
 * per subject temporarily unavailable" (a stream's new leader not caught up yet for a compare-and-set).
 */
const TEMPORARY_CODES = new Set([10008, 10163]);

/**
 * True when a handler failed because the bus could not answer for a while, by the error itself or one it was
 * caused by:
 * - no responders: nothing answered a request (a stream or bucket without a leader right now);
 * - nats.js's request timeout: no answer came in time (a leader being elected, a connection being
 *   re-established). The request may have been applied; a claim's compare-and-set and a publish's message id
 *   make repeating it safe. The publisher's `publishTimeout` is what its own retries of these come to;
 * - JetStream saying it is temporarily unavailable (see TEMPORARY_CODES).
 *
 * Not the message's fault: like a full stream, the message waits for the bus, without an attempt counted
 * against it and without being dead-lettered. Seen in the cluster fault suite's partition: events whose claim
 * write met the cluster's election after the heal were tried five times in 7 s and dead-lettered, and a
 * Pending lost that way never released its claim, so the next Running was taken for "already notified". The
 * suite's leader-elections showed the timeouts: evaluators' claim writes timing out while the bucket elected.
 */
export function isBusUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof NoRespondersError || e instanceof TimeoutError) return true;
    if (e instanceof BusError && e.code === BusErrorCodes.publishTimeout) return true;
    if (e instanceof RequestError && e.isNoResponders()) return true;
    if (e instanceof JetStreamApiError && TEMPORARY_CODES.has(e.code)) return true;
  }
  return false;
}
