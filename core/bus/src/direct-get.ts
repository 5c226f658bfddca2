import { JetStreamError, type CompletionResult, type DirectBatchOptions, type DirectLastFor, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';

/** A direct get that matches no message: the server's 404 "no results". */
const NO_RESULTS = 404;
/** No server answers for the stream: it does not exist, or (on a cluster) has no leader right now. */
const NO_RESPONDERS = 503;

/** A batch direct get: the last message of each subject a filter matches, or up to `batch` messages from a point. */
export type DirectQuery = Omit<DirectLastFor, 'callback'> | Omit<DirectBatchOptions, 'callback'>;

/**
 * The messages of one batch direct get, in the server's order, or none when nothing matches (the client reports
 * that as an error). With `noStream: 'empty'`, no answer for the stream (503) reads as none too, for readers to
 * whom a bucket not made yet holds nothing; otherwise it is an error, as every other failure is.
 *
 * Read through the client's `callback` option, not its iterator: nats.js (3.4) ends an iterated batch at the
 * server's end-of-batch status but keeps its reply subscription, and that subscription's 5-second timer, until
 * the timer fires. Each read then cost a live subscription for 5 s, a timeout error and an UNSUB, and a start
 * that reads 23,000 objects' claims spent seconds afterwards firing them (docs/benchmarks.md, ninth wave). With
 * a callback the client unsubscribes as soon as the batch ends.
 */
export function directRead(jsm: JetStreamManager, stream: string, query: DirectQuery, options: { noStream?: 'empty' } = {}): Promise<StoredMsg[]> {
  const isNothing = (err: unknown): boolean => {
    const code = err instanceof JetStreamError ? (err as JetStreamError & { code?: number }).code : undefined;
    return code === NO_RESULTS || (code === NO_RESPONDERS && options.noStream === 'empty');
  };
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
