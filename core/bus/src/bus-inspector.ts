import type { JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes, type Channel, type ResourceEventData } from '@herald/plugin-sdk';
import type { DeadLetterConnectOptions } from './dead-letters.ts';
import { directRead } from './direct-get.ts';
import { decodeEnvelope } from './envelope.ts';
import { JetStreamKvStore, type KvStore } from './kv-store.ts';
import { connectOperator } from './operator-connection.ts';
import { readProcesses, type AnnouncedProcess } from './process-registry.ts';
import { redactServerUrls } from './server-url.ts';
import { defaultTopology, Topology } from './topology.ts';
import { isStreamNotFound } from './stream-not-found.ts';

const CHANNELS: readonly Channel[] = ['events', 'notifications', 'results', 'deadLetters'];

export interface StreamStatus {
  channel: Channel;
  name: string;
  /** False when the stream is missing (Herald never ran against this server, or other prefixes). */
  exists: boolean;
  messages: number;
  bytes: number;
  /** Sequence of the oldest message kept: above 1 once older ones aged out or were removed. */
  firstSeq: number;
  firstTime?: Date;
  lastTime?: Date;
  maxAgeMs: number;
  /** Messages by the last token of their subject (the origin channel of dead letters). */
  subjects?: Record<string, number>;
}

/** One durable consumer; a partitioned durable is one per partition (`<durable>-p<n>`). */
export interface ConsumerStatus {
  stream: string;
  name: string;
  /** The durable's name without its partition suffix. */
  durable: string;
  /** Not yet delivered to anyone. */
  pending: number;
  /** Delivered and not acknowledged yet. */
  ackPending: number;
  redelivered: number;
}

/** A resource event as the events stream recorded it; `problem` when it cannot be read. */
export interface RecordedEvent {
  seq: number;
  time: Date;
  data?: ResourceEventData;
  problem?: string;
}

/**
 * A read-only look at the bus for operators (`herald status`, `herald replay`, `herald route test`): stream
 * and consumer state, the processes that announced themselves, recorded events. It creates nothing and
 * leaves no consumer behind (direct gets only); every call fails within the timeout.
 */
export class BusInspector {
  readonly topology: Topology;
  readonly #nc: NatsConnection;
  readonly #jsm: JetStreamManager;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, topology: Topology) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.topology = topology;
  }

  static async connect(options: DeadLetterConnectOptions): Promise<BusInspector> {
    const { nc, jsm } = await connectOperator({ ...options, name: options.name ?? 'herald-inspect' });
    return new BusInspector(nc, jsm, new Topology(options.topology ?? defaultTopology));
  }

  /** The server this connection reached. */
  get server(): { url: string; name: string; version: string } {
    return { url: redactServerUrls(this.#nc.getServer()), name: this.#nc.info?.server_name ?? '', version: this.#nc.info?.version ?? '' };
  }

  async streams(): Promise<StreamStatus[]> {
    const out: StreamStatus[] = [];
    for (const channel of CHANNELS) {
      const name = this.topology.streamName(channel);
      const maxAgeMs = this.topology.options.streams[channel].maxAgeMs;
      const base = `${this.topology.channelSubject(channel)}.`;
      try {
        const info = await this.#jsm.streams.info(name, channel === 'deadLetters' ? { subjects_filter: `${base}>` } : undefined);
        // Dead letters by origin channel: a notification's have a subject of their own below it (Topology.deadLetterSubject).
        let subjects: Record<string, number> | undefined;
        for (const [subject, n] of Object.entries(info.state.subjects ?? {})) {
          const key = channel === 'deadLetters' ? this.topology.deadLetterOrigin(subject) : subject.slice(base.length);
          (subjects ??= {})[key] = (subjects[key] ?? 0) + n;
        }
        out.push({
          channel,
          name,
          exists: true,
          messages: info.state.messages,
          bytes: info.state.bytes,
          firstSeq: info.state.first_seq,
          ...(info.state.messages ? { firstTime: new Date(info.state.first_ts), lastTime: new Date(info.state.last_ts) } : {}),
          maxAgeMs: info.config.max_age / 1_000_000,
          ...(subjects ? { subjects } : {}),
        });
      } catch (err) {
        if (!isStreamNotFound(err)) throw err;
        out.push({ channel, name, exists: false, messages: 0, bytes: 0, firstSeq: 0, maxAgeMs });
      }
    }
    return out;
  }

  /** Every consumer of Herald's streams, by stream then name. */
  async consumers(): Promise<ConsumerStatus[]> {
    const out: ConsumerStatus[] = [];
    for (const channel of CHANNELS) {
      const stream = this.topology.streamName(channel);
      try {
        for await (const c of this.#jsm.consumers.list(stream)) {
          out.push({
            stream,
            name: c.name,
            durable: c.name.replace(/-p\d+$/, ''),
            pending: c.num_pending,
            ackPending: c.num_ack_pending,
            redelivered: c.num_redelivered,
          });
        }
      } catch (err) {
        if (!isStreamNotFound(err)) throw err;
      }
    }
    return out.sort((a, b) => a.stream.localeCompare(b.stream) || a.name.localeCompare(b.name, undefined, { numeric: true }));
  }

  /** The processes that announced themselves (core/kernel's heartbeat), alive or not. */
  processes(): Promise<AnnouncedProcess[]> {
    return readProcesses(this.#jsm, this.topology.membersBucket);
  }

  /**
   * The resource events stored from `from` (inclusive) up to `to` (exclusive; default: what the stream
   * holds now), oldest first. Events that aged out of the stream are gone: see its maxAge.
   */
  async *events(window: { from: Date; to?: Date }): AsyncGenerator<RecordedEvent> {
    const stream = this.topology.streamName('events');
    const last = (await this.#jsm.streams.info(stream)).state.last_seq;
    let next: { start_time: Date } | { seq: number } = { start_time: window.from };
    for (;;) {
      const start = next;
      let seen = 0;
      let lastSeq = 0;
      for (const m of await directRead(this.#jsm, stream, { ...start, batch: 256 }, { noStream: 'empty' })) {
        seen++;
        lastSeq = m.seq;
        if (m.seq > last || (window.to && m.time >= window.to)) return;
        const decoded = decodeEnvelope<ResourceEventData>(m.data, EventTypes.resource);
        yield decoded.ok ? { seq: m.seq, time: m.time, data: decoded.event.data } : { seq: m.seq, time: m.time, problem: decoded.reason };
      }
      if (seen === 0 || lastSeq >= last) return;
      next = { seq: lastSeq + 1 };
    }
  }

  /** The dedup claims (bucket `<prefix>_STATE`), which must exist already; what they mean is core/dedup's. */
  async state(): Promise<KvStore> {
    const bucket = this.topology.stateBucket;
    return new JetStreamKvStore(await new Kvm(this.#nc).open(bucket), this.#jsm, bucket);
  }

  async close(): Promise<void> {
    if (!this.#nc.isClosed()) await this.#nc.close();
  }
}
