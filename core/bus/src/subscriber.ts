import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import {
  DeliveryError,
  EventTypes,
  isHeraldError,
  type BusSubscriber,
  type Channel,
  type ChannelData,
  type DeadLetterData,
  type Delivery,
  type DeliveryHandler,
  type EventType,
  type Logger,
  type SubscribeOptions,
  type Subscription,
} from '@herald/plugin-sdk';
import { decodeEnvelope } from './envelope.ts';
import { BusErrorCodes } from './errors.ts';
import { KeyedQueue } from './keyed-queue.ts';
import type { JetStreamPublisher } from './publisher.ts';
import type { Topology } from './topology.ts';
import { extractTraceContext } from './trace-headers.ts';

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
 * Consumes a channel through a durable pull consumer. Messages of one subject (one partition) are handled
 * in order; different subjects in parallel. Reconnects and server restarts resume from the durable position.
 */
export class JetStreamSubscriber implements BusSubscriber {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #topology: Topology;
  readonly #deadLetters: JetStreamPublisher;
  readonly #tracer: Tracer;
  readonly #logger: Logger;
  readonly #options: SubscriberOptions;

  constructor(deps: {
    js: JetStreamClient;
    jsm: JetStreamManager;
    topology: Topology;
    deadLetters: JetStreamPublisher;
    tracer: Tracer;
    logger: Logger;
    options?: SubscriberOptions;
  }) {
    this.#js = deps.js;
    this.#jsm = deps.jsm;
    this.#topology = deps.topology;
    this.#deadLetters = deps.deadLetters;
    this.#tracer = deps.tracer;
    this.#logger = deps.logger;
    this.#options = deps.options ?? defaultSubscriberOptions;
  }

  async subscribe<C extends Channel>(channel: C, options: SubscribeOptions, handler: DeliveryHandler<ChannelData[C]>): Promise<Subscription> {
    const stream = this.#topology.streamName(channel);
    const maxAckPending = options.maxAckPending ?? 64;
    const maxDeliver = options.maxDeliver ?? 5;
    const consumerConfig = {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: this.#options.ackWaitMs * 1_000_000,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.#topology.filterSubject(channel, options.filter),
      max_ack_pending: maxAckPending,
    };
    // Creating a durable consumer with an identical config is a no-op, so every replica may do it.
    await this.#jsm.consumers.add(stream, consumerConfig).catch(async () => {
      // It exists with other settings (an upgrade, a changed filter): bring the updatable ones in line.
      await this.#jsm.consumers.update(stream, options.durable, {
        max_ack_pending: maxAckPending,
        ack_wait: consumerConfig.ack_wait,
        filter_subject: consumerConfig.filter_subject,
      });
    });
    const consumer = await this.#js.consumers.get(stream, options.durable);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.min(maxAckPending, 256) });
    const log = this.#logger.child({ stream, durable: options.durable });
    const queue = new KeyedQueue(maxAckPending);
    const process = (m: JsMsg) => this.#process(channel, options.durable, maxDeliver, m, handler as DeliveryHandler<unknown>, log);

    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === 'heartbeats_missed' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') {
          log.warn({ status: status.type }, 'consumer lost contact with the server; it keeps retrying');
        }
      }
    })();
    const loop = (async () => {
      for await (const m of messages) {
        await queue.push(m.subject, () =>
          process(m).catch((err: unknown) => log.error({ err, subject: m.subject }, 'message left unacknowledged; it will be redelivered')),
        );
      }
    })();

    let stopped: Promise<void> | undefined;
    return {
      stop: () =>
        (stopped ??= (async () => {
          messages.stop();
          await loop.catch(() => undefined);
          await queue.drain();
        })()),
    };
  }

  async #process(channel: Channel, durable: string, maxDeliver: number, m: JsMsg, handler: DeliveryHandler<unknown>, log: Logger): Promise<void> {
    const parent = extractTraceContext(m.headers);
    const span = this.#tracer.startSpan(`process ${m.subject}`, {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'nats', 'messaging.destination.name': m.subject, 'messaging.consumer.group.name': durable },
    }, parent);
    try {
      const decoded = decodeEnvelope(m.data, channelType[channel]);
      if (!decoded.ok) {
        await this.#deadLetter(channel, durable, m, decoded.reason, BusErrorCodes.malformed);
        m.term(decoded.reason);
        span.setStatus({ code: SpanStatusCode.ERROR, message: decoded.reason });
        return;
      }
      const headers: Record<string, string> = {};
      for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
      const delivery: Delivery<unknown> = {
        event: decoded.event,
        subject: m.subject,
        deliveryCount: m.info.deliveryCount,
        traceparent: headers.traceparent,
        headers,
      };
      try {
        await context.with(trace.setSpan(parent, span), () => handler(delivery));
        await m.ackAck().catch(() => m.ack());
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        const retryable = isHeraldError(err) ? err.retryable : true;
        if (retryable && m.info.deliveryCount < maxDeliver) {
          const retryAfter = err instanceof DeliveryError ? err.retryAfterMs : undefined;
          const delay = retryAfter ?? Math.min(this.#options.backoffBaseMs * 2 ** (m.info.deliveryCount - 1), this.#options.backoffMaxMs);
          log.warn({ err, subject: m.subject, deliveryCount: m.info.deliveryCount, delayMs: delay }, 'handler failed; redelivering later');
          m.nak(delay);
          return;
        }
        const reason = retryable
          ? `gave up after ${m.info.deliveryCount} deliveries: ${(err as Error).message}`
          : `permanent failure: ${(err as Error).message}`;
        log.error({ err, subject: m.subject, deliveryCount: m.info.deliveryCount }, 'message sent to the dead-letter stream');
        await this.#deadLetter(channel, durable, m, reason, isHeraldError(err) ? err.code : BusErrorCodes.handlerFailed);
        m.term(reason);
      }
    } finally {
      span.end();
    }
  }

  async #deadLetter(channel: Channel, durable: string, m: JsMsg, reason: string, code: string): Promise<void> {
    const headers: Record<string, string> = {};
    for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
    let payload: string;
    let encoding: 'utf8' | 'base64' = 'utf8';
    try {
      payload = new TextDecoder('utf-8', { fatal: true }).decode(m.data);
    } catch {
      payload = Buffer.from(m.data).toString('base64');
      encoding = 'base64';
    }
    const data: DeadLetterData = {
      reason,
      code,
      consumer: durable,
      deliveryCount: m.info.deliveryCount,
      original: { stream: m.info.stream, subject: m.subject, sequence: m.seq, headers, payload, encoding },
    };
    await this.#deadLetters.publish({
      channel: 'deadLetters',
      subject: this.#topology.deadLetterSubject(channel),
      type: EventTypes.deadLetter,
      id: `dlq:${m.info.stream}:${m.seq}:${durable}`,
      ceSubject: m.subject,
      data,
    });
  }
}
