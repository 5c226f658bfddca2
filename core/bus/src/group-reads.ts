import { JetStreamError, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { directRead } from './direct-get.ts';

/**
 * Groups one coalesced read asks for at most. The evaluator reads up to one object per partition at once (16 by
 * default), the annotation mirror up to 64. 16 objects of a few claims each stay well under the server's 1,024
 * messages per answer; a batch of objects with many (Argo's annotation holds up to 100) that passes it is read
 * again one object at a time (see TOO_MANY_RESULTS).
 */
export const GROUPS_PER_READ = 16;

/** The server's answer to a last-per-subject read that matches more than it sends in one answer (1,024 messages). */
const TOO_MANY_RESULTS = 413;

interface Waiting {
  resolve(messages: StoredMsg[]): void;
  reject(err: unknown): void;
}

/**
 * Reads of a group's keys (the last message of each subject under a prefix) asked for during one turn of the
 * event loop, sent as one batch direct get with every prefix, and the answer split by prefix.
 *
 * A read per group costs a request, a reply subscription made and dropped, and an end-of-batch status, on the
 * client and on the server. A start evaluates every watched object and reads its claims (10,000 reads for
 * 10,000 Pods), and a notification reads them three times. Coalesced, 16 reads cost the client and the server
 * about what 7 did (docs/benchmarks.md, tenth wave).
 *
 * Each reader gets what its own read would have answered, and at least as current: the batch is sent after
 * every read in it was asked for, and the server answers a batch from one view of the stream (no write lands
 * between two of its messages). A batch the server cuts short (more than 1,024 messages, or its byte limit)
 * is read again one group at a time; any other failure fails every read in the batch, as it would have
 * failed each alone.
 */
export class CoalescedGroupReads {
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  /** Readers waiting for the next batch, by prefix: two reads of one group in a turn share its answer. */
  #queued = new Map<string, Waiting[]>();

  constructor(jsm: JetStreamManager, stream: string) {
    this.#jsm = jsm;
    this.#stream = stream;
  }

  /** The last message of each subject under `prefix` (which ends in `.`), in the server's order. */
  read(prefix: string): Promise<StoredMsg[]> {
    return new Promise((resolve, reject) => {
      const waiting = this.#queued.get(prefix);
      if (waiting) waiting.push({ resolve, reject });
      else this.#queued.set(prefix, [{ resolve, reject }]);
      // At the end of the turn, once every read this turn's events asked for is queued.
      if (this.#queued.size === 1 && !waiting) setImmediate(this.#flush);
    });
  }

  readonly #flush = (): void => {
    const queued = [...this.#queued];
    this.#queued = new Map();
    for (let i = 0; i < queued.length; i += GROUPS_PER_READ) this.#read(new Map(queued.slice(i, i + GROUPS_PER_READ)));
  };

  /** Reads a batch; whatever goes wrong fails its readers rather than leaving them waiting. */
  #read(batch: Map<string, Waiting[]>): void {
    this.#readBatch(batch).catch((err: unknown) => {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
    });
  }

  async #readBatch(batch: Map<string, Waiting[]>): Promise<void> {
    let messages: StoredMsg[];
    try {
      messages = await directRead(this.#jsm, this.#stream, { multi_last: [...batch.keys()].map((prefix) => `${prefix}>`) });
      // The last message says how many the server still had for this read: 0 when the answer is whole.
      if (batch.size > 1 && (messages.at(-1)?.pending ?? 0) > 0) return this.#readAlone(batch);
    } catch (err) {
      if (batch.size > 1 && err instanceof JetStreamError && (err as JetStreamError & { code?: number }).code === TOO_MANY_RESULTS) return this.#readAlone(batch);
      throw err;
    }
    const byPrefix = new Map<string, StoredMsg[]>([...batch.keys()].map((prefix) => [prefix, []]));
    for (const m of messages) byPrefix.get(m.subject.slice(0, m.subject.lastIndexOf('.') + 1))?.push(m);
    for (const [prefix, waiting] of batch) for (const w of waiting) w.resolve(byPrefix.get(prefix)!);
  }

  /** Each group of a batch the server could not answer whole, read in a batch of its own. */
  #readAlone(batch: Map<string, Waiting[]>): void {
    for (const [prefix, waiting] of batch) this.#read(new Map([[prefix, waiting]]));
  }
}
