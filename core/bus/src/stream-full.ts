import { JetStreamApiError } from '@nats-io/jetstream';

// JetStream's answers to a publish into a stream at its limits under discard new: 10077 "maximum bytes /
// messages exceeded" (store failed), 10047/10023 "insufficient storage resources" (the account's or server's).
const FULL_CODES = new Set([10077, 10047, 10023]);

/** True when a publish was refused because the stream (or the store under it) is full: retry later. */
export function isStreamFull(err: unknown): boolean {
  if (!(err instanceof JetStreamApiError)) return false;
  return FULL_CODES.has(err.code) || /maximum (bytes|messages)( per subject)? exceeded|insufficient (storage )?resources/i.test(err.message);
}
