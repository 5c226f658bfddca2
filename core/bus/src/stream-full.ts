import { JetStreamApiError } from '@nats-io/jetstream';
import { BusErrorCodes } from './errors.ts';

// JetStream's answers to a publish into a stream at its limits under discard new: 10077 "maximum bytes /
// messages exceeded" (store failed), 10047/10023 "insufficient storage resources" (the account's or server's).
const FULL_CODES = new Set([10077, 10047, 10023]);

/** True when a publish was refused because the stream (or the store under it) is full: retry later. */
export function isStreamFull(err: unknown): boolean {
  if (!(err instanceof JetStreamApiError)) return false;
  return FULL_CODES.has(err.code) || /maximum (bytes|messages)( per subject)? exceeded|insufficient (storage )?resources/i.test(err.message);
}

/**
 * True when a handler failed because a stream it publishes to is full (HERALD_ERR_BUS_STREAM_FULL, or an
 * error caused by one): back-pressure, not the message's fault. The message waits; it is never counted as
 * an attempt nor dead-lettered for it.
 */
export function isBackPressure(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === BusErrorCodes.streamFull) return true;
  }
  return false;
}
