import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerConfig, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Tracer } from '@opentelemetry/api';
import type { BusSubscriber, Channel, ChannelData, DeliveryHandler, EventType, Logger, SubscribeOptions, Subscription } from '@herald/plugin-sdk';
import { backoffDelay, EventTypes, sleepUnlessAborted, isHeraldError, type DeadLetterData } from '@herald/plugin-sdk';
import type { KV } from '@nats-io/kv';
import type { AttemptsLedger } from './attempts-ledger.ts';
import type { BusMetrics } from './bus-metrics.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { MessageProcessor } from './message-processor.ts';
import { orderKeyOf } from './order-key.ts';
import { PartitionShare } from './partition-share.ts';
import type { JetStreamPublisher } from './publisher.ts';
import type { Topology } from './topology.ts';
import { PULL_EXPIRES_MS, stalled } from './pull-expiry.ts';
import { TakeoverGate, type Held } from './takeover-gate.ts';
import { isStreamNotFound } from './stream-not-found.ts';

const channelType: Record<Channel, EventType> = {
  events: EventTypes.resource,
  notifications: EventTypes.notification,
  results: EventTypes.deliveryResult,
  deadLetters: EventTypes.deadLetter,
};

export interface SubscriberOptions {
  ackWaitMs: number;
  /** Redelivery delay after the n-th failure: min(base * 2^(n-1), max). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const defaultSubscriberOptions: SubscriberOptions = { ackWaitMs: 30_000, backoffBaseMs: 1_000, backoffMaxMs: 60_000 };

/**
 * How often a replica renews its share of the partitions: a fifth of the ack wait (the pin TTL), between
 * 200 ms and 2 s, so a replica that died is forgotten (3 heartbeats) about as soon as its pins expire.
 */
export function memberHeartbeatMs(ackWaitMs: number): number {
  return Math.min(2_000, Math.max(200, Math.round(ackWaitMs / 5)));
}

/**
 * Messages one pull asks for. The server never has more than the consumer's max_ack_pending out, whatever a pull
 * asks, so the batch only sets how often the client pulls: again once a quarter of it arrived. A batch of one
 * (the evaluator's partitions, one event out at a time) cost a pull request per event.
 */
export function pullBatch(maxAckPending: number): number {
  return Math.min(Math.max(maxAckPending, 64), 256);
}

/** Priority group of the per-partition event consumers. */
const PIN_GROUP = 'herald';

/** JetStream's "consumer already exists" with another configuration. */
const CONSUMER_EXISTS = 10148;

/**
 * Consumes a channel through a durable pull consumer, and keeps consuming: a consumer or stream that
 * disappears (a server restarted with empty storage, someone deleted it) is created again.
 * Messages of one subject (one partition) are handled one after another, different subjects in parallel.
 */
export class JetStreamSubscriber implements BusSubscriber {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #topology: Topology;
  readonly #deadLetters: JetStreamPublisher;
  readonly #tracer: Tracer;
  readonly #logger: Logger;
  readonly #options: SubscriberOptions;
  readonly #recreateTopology: () => Promise<void>;
  readonly #maxDeadLetterPayload: number;
  readonly #closed: () => boolean;
  readonly #attempts: AttemptsLedger;
  readonly #members: KV | undefined;
  readonly #flush: () => Promise<void>;
  readonly #connected: () => boolean;
  readonly #metrics: BusMetrics | undefined;

  constructor(deps: {
    js: JetStreamClient;
    jsm: JetStreamManager;
    topology: Topology;
    deadLetters: JetStreamPublisher;
    tracer: Tracer;
    logger: Logger;
    options?: SubscriberOptions;
    /** Creates streams again when the server lost them. */
    recreateTopology: () => Promise<void>;
    attempts: AttemptsLedger;
    /** Members bucket: replicas of a partitioned durable split its partitions. Absent: every process pulls on all. */
    members?: KV;
    maxDeadLetterPayload: number;
    /** True once the connection is closed for good: consuming ends then. */
    closed: () => boolean;
    /** Round trip to the server, so what was sent before has arrived. */
    flush: () => Promise<void>;
    /** True while the connection is up (not reconnecting). */
    connected: () => boolean;
    /** Reports the backlog of the consumers and the partitions owned; none: not reported. */
    metrics?: BusMetrics;
  }) {
    this.#metrics = deps.metrics;
    this.#connected = deps.connected;
    this.#closed = deps.closed;
    this.#attempts = deps.attempts;
    this.#members = deps.members;
    this.#flush = deps.flush;
    this.#js = deps.js;
    this.#jsm = deps.jsm;
    this.#topology = deps.topology;
    this.#deadLetters = deps.deadLetters;
    this.#tracer = deps.tracer;
    this.#logger = deps.logger;
    this.#options = deps.options ?? defaultSubscriberOptions;
    this.#recreateTopology = deps.recreateTopology;
    this.#maxDeadLetterPayload = deps.maxDeadLetterPayload;
  }

  async subscribe<C extends Channel>(channel: C, options: SubscribeOptions, handler: DeliveryHandler<ChannelData[C]>): Promise<Subscription> {
    const stream = this.#topology.streamName(channel);
    const maxAckPending = options.maxAckPending ?? 64;
    const ordered = options.ordered ?? channel === 'events';
    const consumerConfig: Partial<ConsumerConfig> & { durable_name: string } = {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: this.#options.ackWaitMs * 1_000_000,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.#topology.filterSubject(channel, options.filter),
      max_ack_pending: maxAckPending,
    };
    // Ordered events across processes: one durable per partition, pinned to one process at a time (NATS
    // priority groups), so the events of one object are never handled by two processes at once. Another
    // process takes a partition over when its holder stops (unpinned at once) or dies (after the pin TTL).
    const partitioned = ordered && channel === 'events' && options.filter === undefined;
    const consumerConfigs = partitioned
      ? Array.from({ length: this.#topology.options.partitions }, (_, p) => ({
          ...consumerConfig,
          durable_name: `${options.durable}-p${p}`,
          filter_subject: this.#topology.filterSubject(channel, String(p)),
          priority_groups: [PIN_GROUP],
          priority_policy: 'pinned_client' as const,
          priority_timeout: this.#options.ackWaitMs * 1_000_000,
        }))
      : [consumerConfig];
    const log = this.#logger.child({ stream, durable: options.durable });
    const stopSignal = new AbortController();
    const processor = new MessageProcessor({
      stopping: stopSignal.signal,
      attempts: this.#attempts,
      channel,
      type: channelType[channel],
      durable: options.durable,
      maxDeliver: options.maxDeliver ?? 5,
      // Events are evaluated in order: a failing one is retried in place, holding back the later ones of its
      // partition. Elsewhere a failure steps aside (redelivered later) and the others go on.
      ordered: options.ordered ?? channel === 'events',
      // The evaluator's events and the state role's results: their handlers write claims. Not the sinks'
      // notifications, whose failures are deliveries' (see MessageProcessorOptions).
      waitWhileBusUnavailable: channel === 'events' || channel === 'results',
      handler: handler as DeliveryHandler<unknown>,
      tracer: this.#tracer,
      logger: log,
      ackWaitMs: this.#options.ackWaitMs,
      backoff: (attempt) => backoffDelay(attempt, { baseMs: this.#options.backoffBaseMs, maxMs: this.#options.backoffMaxMs, jitter: 'none' }),
      deadLetter: (m, reason, code, attempts) => this.#deadLetter(channel, options.durable, m, reason, code, attempts),
    });
    // The server may be restarting: wait for it (within a bound) rather than fail the subscription.
    for (let failures = 1, deadline = Date.now() + 60_000; ; failures++) {
      try {
        for (const config of consumerConfigs) await this.#ensureConsumer(stream, config);
        break;
      } catch (err) {
        const refused = err instanceof JetStreamApiError && err.status !== 503;
        if (refused || this.#closed() || Date.now() > deadline) throw err;
        log.warn({ err }, 'cannot create the durable consumer yet; retrying');
        await sleepUnlessAborted(backoffDelay(failures, { baseMs: 250, maxMs: 5_000, jitter: 'none' }), undefined);
      }
    }

    // maxAckPending is per consumer: with one per partition, the process works on as many at once.
    const queue = new KeyedQueue(maxAckPending * consumerConfigs.length);
    let stopping = false;
    const current = new Set<{ stop(): void }>();
    // A message handed back when the subscription stops goes back in its partition's turn; on ordered
    // channels each hand-back reaches the server before the next (a burst of naks is redelivered out of order).
    const handBack = async (m: JsMsg) => {
      // Without a connection the nak would be lost anyway; the server redelivers after the ack wait, in order.
      if (this.#closed() || !this.#connected()) return;
      m.nak();
      if (ordered) await Promise.race([this.#flush().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
    };

    // Replicas split the partitions (each pulls only on its share); the pins keep each partition exclusive.
    const share =
      partitioned && this.#members
        ? new PartitionShare({ kv: this.#members, jsm: this.#jsm, bucket: this.#topology.membersBucket, group: options.durable, partitions: consumerConfigs.length, heartbeatMs: memberHeartbeatMs(this.#options.ackWaitMs), logger: log, connected: this.#connected })
        : undefined;
    const owns = (index: number) => share?.owns(index) ?? true;

    const pinned = new Set<string>();
    const live = new Map<number, { stop(): void }>();
    const consumeOnce = async (config: (typeof consumerConfigs)[number], index: number): Promise<void> => {
      const name = config.durable_name;
      const consumer = await this.#js.consumers.get(stream, name);
      const messages = await consumer.consume({ max_messages: pullBatch(maxAckPending), expires: PULL_EXPIRES_MS, ...(partitioned ? { group: PIN_GROUP } : {}) });
      current.add(messages);
      live.set(index, messages);
      if (stopping || !owns(index)) messages.stop();
      void (async () => {
        for await (const status of messages.status()) {
          if (status.type === 'consumer_pinned') pinned.add(name);
          else if (status.type === 'consumer_unpinned') pinned.delete(name);
          else if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') {
            log.warn({ status: status.type }, 'the durable consumer is gone; creating it again');
            messages.stop();
          } else if (stalled(status, this.#connected())) {
            // Started again from scratch (the consumer looked up, a new pull), rather than waiting for the
            // client's re-pulls to be answered. Messages being handled finish; any received but not yet handed
            // out come back after the ack wait (as the pin, if this process held one, expires then).
            log.warn({ status: status.type, count: status.count, consumer: name }, 'no heartbeats from the server while connected; consuming again');
            messages.stop();
          }
        }
      })();
      // Messages still buffered or queued when the subscription stops are handed back, not handled.
      // Only ordered subscriptions keep a partition's messages one after another; elsewhere a slow one must
      // not hold up the others queued behind it.
      // Ordered: one object's messages one after another (its key in the ORDER_KEY_HEADER), different
      // objects of a partition in parallel; a message without the header waits for its whole partition.
      // Hand-over of a partition (unpin) waits for the partition as a group.
      const enqueue = (m: JsMsg, heartbeat: () => void) =>
        queue.push(
          ordered ? orderKeyOf(m) : `${m.info.stream}:${m.seq}`,
          () =>
            (stopping ? handBack(m) : processor.process(m))
              .catch((err: unknown) => log.error({ err, subject: m.subject }, 'message left unacknowledged; it will be redelivered'))
              .finally(heartbeat),
          ordered ? m.subject : undefined,
        );
      // Several messages out at once: whatever an earlier holder left out comes back here and is handled first, in order.
      const gate = ordered ? takeoverGate(consumer, name, log, (h) => enqueue(h.message, h.release)) : undefined;
      try {
        for await (const m of messages) {
          const heartbeat = processor.keepAlive(m);
          if (gate && !gate.isOpen) {
            gate.hold(m, heartbeat);
            continue;
          }
          // The gate just opened: what it held goes first.
          await gate?.done();
          await enqueue(m, heartbeat);
        }
      } finally {
        // Never passed on (this process stops or lost the partition): back to the server, in order.
        for (const h of gate?.close() ?? []) await handBack(h.message).finally(h.release);
        await gate?.done();
      }
      current.delete(messages);
      live.delete(index);
    };

    /** Lets another process have the partition at once: what this one still holds is finished first. */
    const unpin = async (config: (typeof consumerConfigs)[number]): Promise<void> => {
      if (!pinned.has(config.durable_name)) return;
      await queue.idle(config.filter_subject!);
      if (this.#closed() || !this.#connected()) return;
      await this.#jsm.consumers.unpin(stream, config.durable_name, PIN_GROUP).catch(() => undefined);
      pinned.delete(config.durable_name);
    };

    const wakes = new Set<() => void>();
    const sleep = (ms: number) =>
      new Promise<void>((r) => {
        const timer = setTimeout(wakeUp, ms);
        function wakeUp() {
          clearTimeout(timer);
          wakes.delete(wakeUp);
          r();
        }
        wakes.add(wakeUp);
      });
    const wake = () => [...wakes].forEach((w) => w());

    const consumeLoop = async (config: (typeof consumerConfigs)[number], index: number): Promise<void> => {
      let retryDelay = 250;
      while (!stopping && !this.#closed()) {
        if (!owns(index)) {
          // Another replica's share now: hand it over, then wait until the share changes again.
          await unpin(config);
          await sleep(60_000);
          continue;
        }
        try {
          await consumeOnce(config, index);
          retryDelay = 250;
        } catch (err) {
          if (this.#closed()) break;
          log.error({ err, consumer: config.durable_name }, 'consuming failed; trying again');
        }
        if (stopping || this.#closed()) break;
        if (!owns(index)) continue;
        await sleep(retryDelay);
        retryDelay = Math.min(retryDelay * 2, 10_000);
        if (stopping || this.#closed()) break;
        await this.#ensureConsumer(stream, config).catch((err: unknown) => log.error({ err }, 'cannot create the durable consumer yet'));
      }
    };
    if (share) {
      await share.start();
      share.onChange(() => {
        for (const [index, messages] of live) if (!owns(index)) messages.stop();
        wake();
      });
    }
    const loop = Promise.all(consumerConfigs.map(consumeLoop));
    const unwatch = this.#metrics?.watch({
      stream,
      consumers: consumerConfigs.map((c) => c.durable_name),
      ...(share ? { share: { durable: options.durable, owned: () => share.owned().length } } : {}),
    });

    let stopped: Promise<void> | undefined;
    return {
      stop: () =>
        (stopped ??= (async () => {
          stopping = true;
          unwatch?.();
          stopSignal.abort();
          for (const messages of current) messages.stop();
          wake();
          await loop;
          await queue.drain();
          // Let another process take our partitions at once rather than after the pin TTL.
          if (!this.#closed() && this.#connected()) {
            await Promise.all([...pinned].map((name) => this.#jsm.consumers.unpin(stream, name, PIN_GROUP).catch(() => undefined)));
          }
          await share?.stop();
        })()),
    };
  }

  async #ensureConsumer(stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
    try {
      await this.#jsm.consumers.add(stream, config);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === CONSUMER_EXISTS) {
        // It exists with other settings (an upgrade, a changed filter): bring the updatable ones in line.
        await this.#jsm.consumers.update(stream, config.durable_name, {
          max_ack_pending: config.max_ack_pending,
          ack_wait: config.ack_wait,
          filter_subject: config.filter_subject,
        });
      } else if (isStreamNotFound(err)) {
        await this.#recreateTopology();
        await this.#jsm.consumers.add(stream, config);
      } else {
        throw err;
      }
    }
  }

  async #deadLetter(channel: Channel, durable: string, m: JsMsg, reason: string, code: string, attempts: number): Promise<void> {
    const headers: Record<string, string> = {};
    for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
    const letter = (bytes: Uint8Array): DeadLetterData => {
      const { payload, encoding } = encodePayload(bytes);
      const truncated = bytes.length < m.data.length;
      return {
        reason,
        code,
        consumer: durable,
        deliveryCount: attempts,
        original: { stream: m.info.stream, subject: m.subject, sequence: m.seq, headers, payload, encoding, ...(truncated ? { truncated } : {}) },
      };
    };
    // The payload grows when escaped into JSON (or base64): cut it until the whole letter fits.
    let bytes = m.data;
    let data = letter(bytes);
    for (let size = encodedSize(data); size > this.#maxDeadLetterPayload && bytes.length > 0; size = encodedSize(data)) {
      let cut = Math.floor(((bytes.length * this.#maxDeadLetterPayload) / size) * 0.95);
      // Never inside a UTF-8 sequence, or readable text would turn into base64.
      while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
      bytes = bytes.subarray(0, cut);
      data = letter(bytes);
    }
    // A notification that fails again (resent at a resync, or after its object changed) replaces its earlier dead letter.
    const key = channel === 'notifications' ? stateKeyOf(m.data) : undefined;
    const request = {
      channel: 'deadLetters' as const,
      subject: this.#topology.deadLetterSubject(channel, key),
      type: EventTypes.deadLetter,
      id: `dlq:${m.info.stream}:${m.seq}:${durable}`,
      ceSubject: m.subject,
      ...(key === undefined ? {} : { rollup: true }),
    };
    try {
      await this.#deadLetters.publish({ ...request, data });
    } catch (err) {
      if (!isHeraldError(err) || err.retryable) throw err;
      // Refused for good: keep the reason and where the original is, without its payload.
      await this.#deadLetters.publish({ ...request, data: letter(new Uint8Array()) });
    }
  }
}

/** The gate of an ordered consumer: it opens once what the consumer has out is all in this process's hands. */
function takeoverGate(consumer: Consumer, name: string, log: Logger, pass: (held: Held) => Promise<void>): TakeoverGate {
  const gate = new TakeoverGate({ pending: async () => (await consumer.info()).num_ack_pending, pass });
  void gate.done().then(() => {
    if (gate.looks > 1) log.info({ consumer: name, looks: gate.looks }, 'took over a consumer with messages out: waited for them, handled them first, in order');
  });
  return gate;
}

function encodePayload(bytes: Uint8Array): { payload: string; encoding: 'utf8' | 'base64' } {
  try {
    return { payload: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { payload: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
}

function encodedSize(data: DeadLetterData): number {
  return Buffer.byteLength(JSON.stringify(data));
}

/** The state key of a notification message (`data.stateKey`), or undefined when it has none readable (a poison message). */
function stateKeyOf(bytes: Uint8Array): string | undefined {
  try {
    const key = (JSON.parse(new TextDecoder().decode(bytes)) as { data?: { stateKey?: unknown } }).data?.stateKey;
    return typeof key === 'string' && key !== '' ? key : undefined;
  } catch {
    return undefined;
  }
}
