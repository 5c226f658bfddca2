import { JetStreamError, type StoredMsg } from '@nats-io/jetstream';

/** Status codes of a direct get that mean "nothing there": no message matches (404), no such stream (503, no responders). */
const NOTHING = new Set([404, 503]);

/**
 * The messages of a direct get (batch or last-per-subject), ending quietly when there are none: the client
 * reports that as an error, either from the request or while iterating.
 */
export async function* directMessages(request: () => Promise<AsyncIterable<StoredMsg>>): AsyncGenerator<StoredMsg> {
  try {
    for await (const m of await request()) yield m;
  } catch (err) {
    if (!(err instanceof JetStreamError && NOTHING.has((err as JetStreamError & { code?: number }).code ?? 0))) throw err;
  }
}
