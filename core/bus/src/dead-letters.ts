import { JetStreamApiError, jetstream, type JetStreamClient, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { backoffDelay, EventTypes, sleepUnlessAborted, type Channel, type DeadLetterData } from '@herald/plugin-sdk';
import type { BusOptions } from './bus.ts';
import { decodeEnvelope } from './envelope.ts';
import { BusError, BusErrorCodes } from './errors.ts';
import { JetStreamKvStore, type KvStore } from './kv-store.ts';
import { connectOperator, messageOf } from './operator-connection.ts';
import { defaultTopology, Topology } from './topology.ts';
import { isStreamNotFound } from './stream-not-found.ts';

/** One message of the dead-letter stream. */
export interface DeadLetter {
  /** Its sequence in the dead-letter stream: the id `herald dlq` shows and takes. */
  id: number;
  /** When the dead-letter stream stored it. */
  time: Date;
  subject: string;
  /** Channel the original came from: the token after `herald.dlq.` (`herald.dlq.<channel>` or `herald.dlq.notifications.<key hash>`). */
  channel: string;
  /** The envelope id, `dlq:<stream>:<sequence>:<consumer>`. */
  letterId?: string;
  /** Absent when the message is not a valid dead letter; `problem` says why. */
  data?: DeadLetterData;
  problem?: string;
}

/** Channels whose failures go to the dead-letter stream. */
export type DeadLetterOrigin = Exclude<Channel, 'deadLetters'>;
export const DEAD_LETTER_ORIGINS: readonly DeadLetterOrigin[] = ['events', 'notifications', 'results'];

const NO_MESSAGE = 10037;

/** Reads a stored message of the dead-letter stream; never throws on what it holds. */
export function parseDeadLetter(message: { seq: number; subject: string; time: Date; data: Uint8Array }, topology: Topology): DeadLetter {
  const channel = topology.deadLetterOrigin(message.subject);
  const letter = { id: message.seq, time: message.time, subject: message.subject, channel };
  const decoded = decodeEnvelope<DeadLetterData>(message.data, EventTypes.deadLetter);
  return decoded.ok ? { ...letter, letterId: decoded.event.id, data: decoded.event.data } : { ...letter, problem: decoded.reason };
}

/** The original message's bytes as the consumer received them (possibly cut: see `truncated`). */
export function originalPayload(data: DeadLetterData): Uint8Array {
  return Buffer.from(data.original.payload, data.original.encoding === 'base64' ? 'base64' : 'utf8');
}

/** A header of the original, whatever its case. */
export function originalHeader(data: DeadLetterData, name: string): string | undefined {
  const key = Object.keys(data.original.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : data.original.headers[key];
}

/**
 * `Nats-Msg-Id` of a retried original: a new one, or the duplicate window would drop it; the same for every
 * retry of one letter, so a repeated retry within the window is dropped instead.
 */
export function retryMessageId(letter: DeadLetter & { data: DeadLetterData }): string {
  const original = originalHeader(letter.data, 'Nats-Msg-Id') ?? `${letter.data.original.stream}:${letter.data.original.sequence}`;
  return `${original}:retry:${letter.id}`;
}

/**
 * Headers of a retried original: its own (trace context, content type) with the new message id. Other
 * `Nats-*` headers are the server's or expectations of the first publish, and are left out.
 */
export function retryHeaders(data: DeadLetterData, msgId: string): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(data.original.headers)) if (!key.toLowerCase().startsWith('nats-')) h.set(key, value);
  h.set('Nats-Msg-Id', msgId);
  return h;
}

export interface DeadLetterConnectOptions extends Pick<BusOptions, 'servers' | 'auth' | 'tls' | 'topology'> {
  name?: string;
  /** Bound on connecting and on each request: a command fails rather than wait for a server. */
  timeoutMs: number;
}

/**
 * The dead-letter stream for operators: read letters, put originals back on their subjects, delete
 * letters. Creates nothing and does not reconnect; every call fails within the timeout.
 */
export class DeadLetterStore {
  readonly topology: Topology;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #timeoutMs: number;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, topology: Topology, timeoutMs: number) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc, { timeout: timeoutMs });
    this.topology = topology;
    this.#timeoutMs = timeoutMs;
  }

  static async connect(options: DeadLetterConnectOptions): Promise<DeadLetterStore> {
    const { nc, jsm } = await connectOperator({ ...options, name: options.name ?? 'herald-dlq' });
    return new DeadLetterStore(nc, jsm, new Topology(options.topology ?? defaultTopology), options.timeoutMs);
  }

  get stream(): string {
    return this.topology.streamName('deadLetters');
  }

  /** Number of letters per origin channel; fails when the stream does not exist. */
  async counts(): Promise<Record<string, number>> {
    const base = this.topology.channelSubject('deadLetters');
    try {
      const info = await this.#jsm.streams.info(this.stream, { subjects_filter: `${base}.>` });
      const out: Record<string, number> = {};
      // A notification's dead letters have a subject of their own (see Topology.deadLetterSubject): summed by origin.
      for (const [subject, n] of Object.entries(info.state.subjects ?? {})) {
        const channel = this.topology.deadLetterOrigin(subject);
        out[channel] = (out[channel] ?? 0) + n;
      }
      return out;
    } catch (err) {
      if (isStreamNotFound(err)) {
        throw new BusError(BusErrorCodes.topology, `there is no stream ${this.stream} (has Herald run against this server, with these nats prefixes?)`, { cause: err });
      }
      throw err;
    }
  }

  /** Sequence of the newest message in the stream: a snapshot bound for operations on "all" letters. */
  async lastId(): Promise<number> {
    return (await this.#jsm.streams.info(this.stream)).state.last_seq;
  }

  /** Letters oldest first, from one origin channel or all, up to `upTo` (inclusive). */
  async *letters(options: { channel?: DeadLetterOrigin; upTo?: number } = {}): AsyncGenerator<DeadLetter> {
    // One origin's letters are on its subject and, for notifications, on a subject per notification below it.
    const { channel } = options;
    const filter = channel && channel !== 'notifications' ? this.topology.deadLetterSubject(channel) : `${this.topology.channelSubject('deadLetters')}.>`;
    for (let seq = 1; ; ) {
      const m = await this.#jsm.direct.getMessage(this.stream, { seq, next_by_subj: filter });
      if (!m || (options.upTo !== undefined && m.seq > options.upTo)) return;
      seq = m.seq + 1;
      const letter = parseDeadLetter(m, this.topology);
      if (channel === undefined || letter.channel === channel) yield letter;
    }
  }

  async get(id: number): Promise<DeadLetter | undefined> {
    const m = await this.#jsm.streams.getMessage(this.stream, { seq: id });
    return m ? parseDeadLetter(m, this.topology) : undefined;
  }

  /** The dedup claims (bucket `<prefix>_STATE`), which must exist already. */
  async state(): Promise<KvStore> {
    const bucket = this.topology.stateBucket;
    return new JetStreamKvStore(await new Kvm(this.#nc).open(bucket), this.#jsm, bucket);
  }

  /**
   * Publishes `payload` on the original's subject, into the original's stream only. Tried again with the
   * same id (the duplicate window makes that safe) until acknowledged or refused, within `deadlineMs`.
   */
  async republish(data: DeadLetterData, payload: Uint8Array, msgId: string, deadlineMs = 3 * this.#timeoutMs): Promise<PubAck> {
    const headers = retryHeaders(data, msgId);
    const until = Date.now() + deadlineMs;
    for (let failures = 1; ; failures++) {
      const wait = backoffDelay(failures, { baseMs: 200, maxMs: 2_000, jitter: 'none' });
      try {
        return await this.#js.publish(data.original.subject, payload, { msgID: msgId, headers, expect: { streamName: data.original.stream }, timeout: this.#timeoutMs });
      } catch (err) {
        if (err instanceof JetStreamApiError && err.status !== 503) {
          throw new BusError(BusErrorCodes.publishRejected, `${data.original.stream} refused ${msgId} on ${data.original.subject}: ${err.message}`, { cause: err });
        }
        if (this.#nc.isClosed() || Date.now() + wait > until) {
          throw new BusError(BusErrorCodes.publishTimeout, `no acknowledgement for ${msgId} on ${data.original.subject}: ${messageOf(err)}`, { cause: err, retryable: true });
        }
        await sleepUnlessAborted(wait, undefined);
      }
    }
  }

  /** Deletes one letter; false when it was gone already. */
  async remove(id: number): Promise<boolean> {
    try {
      return await this.#jsm.streams.deleteMessage(this.stream, id, false);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === NO_MESSAGE) return false;
      throw err;
    }
  }

  /** Deletes every letter, or those from one origin channel; returns how many. */
  async purge(channel?: DeadLetterOrigin): Promise<number> {
    if (!channel) return (await this.#jsm.streams.purge(this.stream)).purged;
    const subject = this.topology.deadLetterSubject(channel);
    // Below the origin's subject: a notification's own (see Topology.deadLetterSubject).
    const [own, below] = await Promise.all([this.#jsm.streams.purge(this.stream, { filter: subject }), this.#jsm.streams.purge(this.stream, { filter: `${subject}.>` })]);
    return own.purged + below.purged;
  }

  async close(): Promise<void> {
    if (!this.#nc.isClosed()) await this.#nc.close();
  }
}
