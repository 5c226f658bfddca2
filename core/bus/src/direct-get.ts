import { JetStreamError, type CompletionResult, type DirectBatchOptions, type DirectLastFor, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';

/** Status codes of a direct get that mean "nothing there": no message matches (404), no such stream (503, no responders). */
const NOTHING = new Set([404, 503]);

/** A batch direct get: the last message of each subject a filter matches, or up to `batch` messages from a point. */
export type DirectQuery = Omit<DirectLastFor, 'callback'> | Omit<DirectBatchOptions, 'callback'>;

/**
 * The messages of one batch direct get, in the server's order, or none when nothing matches (the client reports
 * that as an error).
 *
 * Read through the client's `callback` option, not its iterator: nats.js (3.4) ends an iterated batch at the
 * server's end-of-batch status but keeps its reply subscription, and that subscription's 5-second timer, until
 * the timer fires. Each read then cost a live subscription for 5 s, a timeout error and an UNSUB, and a start
 * that reads 23,000 objects' claims spent seconds afterwards firing them (docs/benchmarks.md, ninth wave). With
 * a callback the client unsubscribes as soon as the batch ends.
 */
export function directRead(jsm: JetStreamManager, stream: string, query: DirectQuery): Promise<StoredMsg[]> {
  return new Promise((resolve, reject) => {
    const messages: StoredMsg[] = [];
    const callback = (done: CompletionResult | null, m: StoredMsg): void => {
      if (!done) {
        messages.push(m);
        return;
      }
      if (done.err && !isNothing(done.err)) reject(done.err);
      else resolve(messages);
    };
    const request = 'multi_last' in query ? jsm.direct.getLastMessagesFor(stream, { ...query, callback }) : jsm.direct.getBatch(stream, { ...query, callback } as DirectBatchOptions);
    request.catch((err: unknown) => (isNothing(err) ? resolve(messages) : reject(err)));
  });
}

function isNothing(err: unknown): boolean {
  return err instanceof JetStreamError && NOTHING.has((err as JetStreamError & { code?: number }).code ?? 0);
}
