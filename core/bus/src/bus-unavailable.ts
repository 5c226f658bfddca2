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
 * True when a handler failed because the bus could not answer for a while: nothing answered a request (no
 * responders: a stream or bucket without a leader right now), no answer came in time (nats.js's own request
 * timeout: a leader being elected or a connection being re-established, the request possibly applied, which a
 * claim's compare-and-set and the publish's message id make safe to repeat; the publisher's own
 * `publishTimeout`, which is what its retries of these come to), or JetStream said it is
 * temporarily unavailable (see TEMPORARY_CODES); the error itself or one it was caused by. Not the message's fault: like a full
 * stream, the message waits for the bus, without an attempt counted against it and without being
 * dead-lettered. Seen in the cluster fault suite's partition: events whose claim write met the cluster's
 * election after the heal were tried five times in 7 s and dead-lettered, and a Pending lost that way never
 * released its claim, so the next Running was taken for "already notified". The cluster suite's
 * leader-elections showed the timeouts: evaluators' claim writes timing out while the state bucket elected.
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
