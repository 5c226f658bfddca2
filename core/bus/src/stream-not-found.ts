import { JetStreamApiError } from '@nats-io/jetstream';

/** JetStream's API error code for a stream that does not exist. */
const STREAM_NOT_FOUND = 10059;

/** Whether `err` is JetStream's answer that the stream does not exist. */
export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND;
}
