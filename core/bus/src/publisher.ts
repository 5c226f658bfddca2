import { JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { ClosedConnectionError, DrainingConnectionError, InvalidArgumentError, headers as natsHeaders } from '@nats-io/transport-node';
import { context, metrics, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import {
  backoffDelay,
  dataSchemasByType,
  EventTypes,
  sleepUnlessAborted,
  type BusPublisher,
  type Channel,
  type ChannelData,
  type DeadLetterData,
  type DeadLetterReason,
  type DeliveryResultData,
  type EventType,
  type Logger,
  type NotificationData,
  type PublishOptions,
  type PublishReceipt,
  type ResourceEventData,
} from '@herald/plugin-sdk';
import { CONTENT_TYPE, encodeEnvelope } from './envelope.ts';
import { BusError, BusErrorCodes } from './errors.ts';
import { isEventData } from './event-shapes.ts';
import { Semaphore } from './semaphore.ts';
import { isStreamFull } from './stream-full.ts';
import type { Topology } from './topology.ts';
import { injectTraceContext } from './trace-headers.ts';
import { ORDER_KEY_HEADER } from './order-key.ts';
import { STATE_EPOCH_HEADER } from './state-epoch.ts';

export interface PublisherOptions {
  /** CloudEvents `source` of what this publisher sends, e.g. `herald/source/kubernetes`. */
  source: string;
  /** How long one publish may wait, across reconnects and retries, for the bus to store it. */
  publishTimeoutMs: number;
  /** How long one attempt waits for the stream's acknowledgement. */
  attemptTimeoutMs: number;
  /** Publishes waiting for an acknowledgement at once; more wait their turn. */
  maxInflight: number;
  /** The server's max_payload, when known: a message over it (or over its stream's max_msg_size) is refused before sending. */
  serverMaxPayload?: number;
  /**
   * The state bucket's epoch when this process connected (readStateEpoch): set as STATE_EPOCH_HEADER on the
   * events published with `readSinceStart`.
   */
  stateEpoch?: string;
}

/** What a full stream needs from the bus: a way to make room, and a log to say so. */
export interface StreamFullHandling {
  /** Purges what every consumer acknowledged (see stream-room.ts); how many messages went. */
  makeRoom: (stream: string) => Promise<number>;
  logger: Logger;
}

/** A full stream is reported at most this often per stream; the metric counts every refusal. */
const FULL_LOG_INTERVAL_MS = 10_000;

/** Between attempts at a publish: 100 ms doubling up to 2 s (within the publish timeout). */
const PUBLISH_BACKOFF = { baseMs: 100, maxMs: 2_000, jitter: 'none' } as const;

export const defaultPublisherOptions: Omit<PublisherOptions, 'source'> = {
  publishTimeoutMs: 60_000,
  attemptTimeoutMs: 5_000,
  maxInflight: 256,
};

// Room for Nats-Msg-Id, Content-Type and the trace context around a message.
const headerRoom = 1024;

type DeadLetterOrigin = Exclude<Channel, 'deadLetters'>;

interface PublishRequest {
  channel: Channel;
  subject: string;
  type: EventType;
  id: string;
  ceSubject?: string;
  data: unknown;
  /** Events: the object's UID, so ordered subscribers keep one object's events in order (ORDER_KEY_HEADER). */
  orderKey?: string;
  /** Replaces every earlier message of its subject (`Nats-Rollup: sub`): a notification's newest dead letter. */
  rollup?: boolean;
  /** Events read since this process connected: the state bucket's epoch then (STATE_EPOCH_HEADER). */
  stateEpoch?: string;
}

/**
 * Publishes CloudEvents onto JetStream. Every message carries `Nats-Msg-Id` (its idempotency key) and the
 * W3C trace context; a publish is retried with the same id until the stream acknowledges it, so a
 * reconnect or server restart never loses or doubles a message.
 */
export class JetStreamPublisher implements BusPublisher {
  readonly #js: JetStreamClient;
  readonly #topology: Topology;
  readonly #tracer: Tracer;
  readonly #options: PublisherOptions;
  readonly #slots: Semaphore;
  readonly #full: StreamFullHandling | undefined;
  readonly #fullLogged = new Map<string, number>();
  readonly #makingRoom = new Map<string, Promise<void>>();
  readonly #refused = metrics.getMeter('@herald/core-bus').createCounter('herald.bus.publish.refused', {
    description: 'Publishes a stream refused because it was full (discard new); each is retried, none is dropped',
  });

  constructor(js: JetStreamClient, topology: Topology, tracer: Tracer, options: PublisherOptions, full?: StreamFullHandling) {
    this.#full = full;
    this.#js = js;
    this.#topology = topology;
    this.#tracer = tracer;
    this.#options = options;
    this.#slots = new Semaphore(options.maxInflight);
  }

  resourceEvent(data: ResourceEventData, options?: PublishOptions): Promise<PublishReceipt> {
    const request = this.#request('events', data, options);
    const epoch = this.#options.stateEpoch;
    return this.publish(options?.readSinceStart && epoch !== undefined ? { ...request, stateEpoch: epoch } : request);
  }

  notification(data: NotificationData, options?: PublishOptions): Promise<PublishReceipt> {
    return this.publish(this.#request('notifications', data, options));
  }

  deliveryResult(data: DeliveryResultData, options?: PublishOptions): Promise<PublishReceipt> {
    return this.publish(this.#request('results', data, options));
  }

  deadLetter<C extends DeadLetterOrigin>(channel: C, data: ChannelData[C], why: DeadLetterReason, options?: PublishOptions): Promise<PublishReceipt> {
    const original = this.#request(channel, data);
    this.#check(original);
    const stream = this.#topology.streamName(channel);
    const payload = new TextDecoder().decode(this.#encode(original));
    const letter: DeadLetterData = {
      reason: why.reason,
      code: why.code,
      consumer: this.#options.source,
      deliveryCount: 0,
      // Sequence 0: never stored. Truncated: what it carries is not the message that failed, only enough to say what it was.
      original: { stream, subject: original.subject, sequence: 0, headers: { 'Nats-Msg-Id': original.id, 'Content-Type': CONTENT_TYPE }, payload, encoding: 'utf8', truncated: true },
    };
    // A notification that fails again replaces its earlier dead letter (Topology.deadLetterSubject).
    const key = channel === 'notifications' ? (data as NotificationData).stateKey : undefined;
    return this.publish({
      channel: 'deadLetters',
      subject: this.#topology.deadLetterSubject(channel, key),
      type: EventTypes.deadLetter,
      id: options?.id ?? `dlq:${stream}:${original.id}:${this.#options.source}`,
      ceSubject: original.subject,
      data: letter,
      ...(key === undefined ? {} : { rollup: true }),
    });
  }

  /** Subject, type, id and CloudEvents subject of a message of `channel`. */
  #request<C extends DeadLetterOrigin>(channel: C, data: ChannelData[C], options?: PublishOptions): PublishRequest {
    if (channel === 'events') {
      const { ref, resourceVersion, action, resync } = data as ResourceEventData;
      const ceSubject = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
      const id = options?.id ?? (resync === undefined ? `${ref.uid}:${resourceVersion}:${action}` : `${ref.uid}:${resourceVersion}:resync:${resync}`);
      return { channel, subject: this.#topology.eventSubject(ref.uid), type: EventTypes.resource, id, ceSubject, data, orderKey: ref.uid };
    }
    if (channel === 'notifications') {
      const n = data as NotificationData;
      const subject = this.#topology.notificationSubject(n.destination.serviceType, n.ref.uid);
      return { channel, subject, type: EventTypes.notification, id: options?.id ?? `${n.idempotencyKey}:${n.claimRevision}`, ceSubject: n.stateKey, data };
    }
    const r = data as DeliveryResultData;
    const subject = this.#topology.resultSubject(r.destination.serviceType, r.ref.uid);
    return { channel, subject, type: EventTypes.deliveryResult, id: options?.id ?? `${r.idempotencyKey}:${r.claimRevision}:${r.attempts}`, ceSubject: r.stateKey, data };
  }

  /** Publishes any envelope; used by the bus itself for dead letters. */
  async publish(request: PublishRequest): Promise<PublishReceipt> {
    this.#check(request);
    const deadline = Date.now() + this.#options.publishTimeoutMs;
    // Waiting for a slot counts against the same deadline as waiting for the acknowledgement.
    const release = await this.#slots.acquire(this.#options.publishTimeoutMs, () => this.#timeoutError(request));
    const span = this.#tracer.startSpan(`publish ${request.subject}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': request.subject,
        'messaging.message.id': request.id,
        'cloudevents.event_type': request.type,
      },
    });
    try {
      const headers = natsHeaders();
      headers.set('Nats-Msg-Id', request.id);
      headers.set('Content-Type', CONTENT_TYPE);
      if (request.orderKey) headers.set(ORDER_KEY_HEADER, request.orderKey);
      if (request.rollup) headers.set('Nats-Rollup', 'sub');
      if (request.stateEpoch !== undefined) headers.set(STATE_EPOCH_HEADER, request.stateEpoch);
      injectTraceContext(trace.setSpan(context.active(), span), headers);
      const payload = this.#encode(request);
      this.#checkSize(request, payload);
      const ack = await this.#publishWithRetry(request, payload, headers, deadline);
      span.setAttribute('messaging.nats.stream.sequence', ack.seq);
      return { id: request.id, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
      release();
    }
  }

  /** Refuses here what every consumer would dead-letter: a JavaScript plugin gets no type checks. */
  #check(request: PublishRequest): void {
    // What Herald's own roles build passes the plain check; zod only says what is wrong with the rest.
    if (isEventData(request.type, request.data)) return;
    const checked = dataSchemasByType[request.type].safeParse(request.data);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new BusError(BusErrorCodes.publishRejected, `not a valid ${request.type}: data.${issue.path.map(String).join('.')}: ${issue.message}`);
    }
  }

  /** The envelope's bytes; data that JSON cannot encode (nested too deep for the stack) is refused for good. */
  #encode(request: PublishRequest): Uint8Array {
    try {
      return encodeEnvelope({
        id: request.id,
        type: request.type,
        source: this.#options.source,
        data: request.data,
        ...(request.ceSubject === undefined ? {} : { subject: request.ceSubject }),
      });
    } catch (err) {
      throw new BusError(BusErrorCodes.publishRejected, `cannot encode ${request.type} ${request.id} as JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Refuses at once, with both numbers, what the stream or the server would refuse for its size. */
  #checkSize(request: PublishRequest, payload: Uint8Array): void {
    const streamMax = this.#topology.options.streams[request.channel].maxMsgSize;
    const serverMax = this.#options.serverMaxPayload ?? Number.POSITIVE_INFINITY;
    const limit = Math.min(streamMax, serverMax);
    // Headers count against the server's limit too; leave them room.
    if (payload.length + headerRoom <= limit) return;
    const stream = this.#topology.streamName(request.channel);
    const server = Number.isFinite(serverMax) ? `, server max_payload ${serverMax}` : '';
    throw new BusError(
      BusErrorCodes.publishRejected,
      `${request.id} is ${payload.length} bytes, more than the ${limit - headerRoom} bytes ${stream} takes (its max_msg_size ${streamMax}${server}, less ${headerRoom} for headers)`,
    );
  }

  async #publishWithRetry(request: PublishRequest, payload: Uint8Array, headers: ReturnType<typeof natsHeaders>, deadline: number) {
    let lastError: unknown;
    for (let failures = 1; Date.now() < deadline; failures++) {
      try {
        const timeout = Math.min(this.#options.attemptTimeoutMs, Math.max(deadline - Date.now(), 1));
        return await this.#js.publish(request.subject, payload, { msgID: request.id, headers, timeout });
      } catch (err) {
        if (err instanceof ClosedConnectionError || err instanceof DrainingConnectionError) {
          throw new BusError(BusErrorCodes.closed, `cannot publish ${request.id}: the bus connection is closed`, { cause: err });
        }
        if (err instanceof InvalidArgumentError) {
          // The client refuses it before sending, e.g. larger than the server's max_payload: never retryable.
          throw new BusError(BusErrorCodes.publishRejected, `cannot publish ${request.id} (${payload.length} bytes): ${err.message}`, { cause: err });
        }
        if (isStreamFull(err)) {
          // Back-pressure: the message waits (and its producer with it) until the stream has room; it is never dropped.
          lastError = await this.#streamFull(request, err as JetStreamApiError);
          await sleepUnlessAborted(Math.min(backoffDelay(failures, PUBLISH_BACKOFF), Math.max(deadline - Date.now(), 0)), undefined);
          continue;
        }
        if (err instanceof JetStreamApiError && err.status !== 503) {
          throw new BusError(BusErrorCodes.publishRejected, `the stream refused ${request.id} on ${request.subject}: ${err.message}`, { cause: err });
        }
        // Timeouts, no responders while JetStream restarts, lost connections: the same id makes a retry safe.
        lastError = err;
        await sleepUnlessAborted(Math.min(backoffDelay(failures, PUBLISH_BACKOFF), Math.max(deadline - Date.now(), 0)), undefined);
      }
    }
    throw this.#timeoutError(request, lastError);
  }

  /** Counts the refusal, says so (at most every few seconds per stream), and makes room once at a time. */
  async #streamFull(request: PublishRequest, err: JetStreamApiError): Promise<BusError> {
    const stream = this.#topology.streamName(request.channel);
    this.#refused.add(1, { stream });
    const error = new BusError(BusErrorCodes.streamFull, `stream ${stream} is full and refused ${request.id} (${err.message}); retrying until it has room`, { cause: err, retryable: true });
    if (!this.#full) return error;
    const now = Date.now();
    if (now - (this.#fullLogged.get(stream) ?? 0) >= FULL_LOG_INTERVAL_MS) {
      this.#fullLogged.set(stream, now);
      this.#full.logger.warn({ stream, code: err.code, err: err.message }, `stream ${stream} is full: publishes wait until every consumer acknowledged enough to purge, or an operator makes room`);
    }
    let making = this.#makingRoom.get(stream);
    if (!making) {
      making = this.#full
        .makeRoom(stream)
        .then((purged) => {
          if (purged > 0) this.#full!.logger.warn({ stream, purged }, `stream ${stream} was full: purged ${purged} messages every consumer had acknowledged`);
        })
        .catch((cause: unknown) => this.#full!.logger.warn({ stream, err: cause }, `cannot make room in stream ${stream}`))
        .finally(() => this.#makingRoom.delete(stream));
      this.#makingRoom.set(stream, making);
    }
    await making;
    return error;
  }

  #timeoutError(request: PublishRequest, cause?: unknown): BusError {
    if (cause instanceof BusError && cause.code === BusErrorCodes.streamFull) {
      return new BusError(BusErrorCodes.streamFull, `${cause.message}: still full after ${this.#options.publishTimeoutMs} ms`, { cause: cause.cause, retryable: true });
    }
    return new BusError(BusErrorCodes.publishTimeout, `no acknowledgement for ${request.id} on ${request.subject} within ${this.#options.publishTimeoutMs} ms`, {
      cause,
      retryable: true,
    });
  }
}
