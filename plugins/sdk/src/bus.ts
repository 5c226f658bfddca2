import type {
  CloudEvent,
  DeadLetterData,
  DeliveryResultData,
  NotificationData,
  ResourceEventData,
} from './events.ts';

export interface PublishOptions {
  /**
   * Idempotency key, sent as `Nats-Msg-Id` and used as the CloudEvents `id`. The bus drops a second
   * message with the same id within its duplicate window. Defaults to a key derived from the data.
   */
  id?: string;
  /**
   * Events only: the object was read from its system of record (a Kubernetes API server's list or watch) after
   * this plugin started, not replayed from storage or from a queue kept across restarts. The event then
   * carries the state bucket's epoch, and an evaluator that sees the object for the first time can take the
   * `notified` annotation the event carries as current instead of reading the object again. Leave it unset
   * when unsure: an event without it costs that read.
   */
  readSinceStart?: boolean;
}

export interface PublishReceipt {
  id: string;
  stream: string;
  seq: number;
  /** True when the bus had already stored a message with this id. */
  duplicate: boolean;
}

/** Why a message went to the dead letters instead of its channel. */
export interface DeadLetterReason {
  /** Stable error code, e.g. `HERALD_ERR_KUBE_OBJECT_TOO_DEEP`. */
  code: string;
  /** For people: what the message was about, and why it could not go on. */
  reason: string;
}

/** Publishes onto the bus; waits for the bus to store the message (and retries across reconnects). */
export interface BusPublisher {
  resourceEvent(data: ResourceEventData, options?: PublishOptions): Promise<PublishReceipt>;
  notification(data: NotificationData, options?: PublishOptions): Promise<PublishReceipt>;
  deliveryResult(data: DeliveryResultData, options?: PublishOptions): Promise<PublishReceipt>;
  /**
   * Sends to the dead-letter stream, instead of its channel, a message that cannot be published as it is
   * (a source's object too deep or too large for the bus). `data` is what the letter keeps as its original:
   * reduce it so that it fits. The original has sequence 0 (it was never stored) and is marked truncated,
   * so `herald dlq retry` never puts the reduced message back. `options.id` defaults to
   * `dlq:<stream>:<id the message would have had>:<publisher source>`. A notification's letter replaces the
   * earlier letters of the same notification (its `stateKey`): the stream keeps the newest of each.
   */
  deadLetter<C extends Exclude<Channel, 'deadLetters'>>(channel: C, data: ChannelData[C], why: DeadLetterReason, options?: PublishOptions): Promise<PublishReceipt>;
}

/** What each channel carries. */
export interface ChannelData {
  events: ResourceEventData;
  notifications: NotificationData;
  results: DeliveryResultData;
  deadLetters: DeadLetterData;
}
export type Channel = keyof ChannelData;

export interface SubscribeOptions {
  /** Durable consumer name: consumers with the same name share the work and resume where it stopped. */
  durable: string;
  /** Narrows the channel, e.g. a notification service type (`webhook`). Default: everything. */
  filter?: string;
  /** Deliveries before a message goes to the dead-letter stream. Default 5. */
  maxDeliver?: number;
  /** Messages in flight at once. Default 64. */
  maxAckPending?: number;
  /**
   * Keep the order of each partition through failures: a failing message is retried in place and holds
   * back the later ones of its partition. Default: true for `events`, false elsewhere (a failing
   * notification steps aside and is redelivered after its backoff).
   */
  ordered?: boolean;
}

/** One message handed to a subscriber. */
export interface Delivery<T> {
  event: CloudEvent<T>;
  subject: string;
  /** 1 on first delivery, higher on redelivery. */
  deliveryCount: number;
  /** The W3C trace context the message carried; the handler runs inside it. */
  traceparent: string | undefined;
  headers: Readonly<Record<string, string>>;
}

/**
 * Handler contract: resolve to acknowledge; throw a retryable error to have the message redelivered with
 * backoff (its `retryAfterMs`, when set, is the delay); throw a non-retryable error, or a retryable one
 * with `lastAttempt: true`, to send it to the dead-letter stream with the reason. A message that is not a
 * valid envelope goes to the dead-letter stream without reaching the handler.
 */
export type DeliveryHandler<T> = (delivery: Delivery<T>) => Promise<void>;

export interface Subscription {
  /** Stops taking new messages and waits for the handlers in flight. Idempotent. */
  stop(): Promise<void>;
}

export interface BusSubscriber {
  subscribe<C extends Channel>(
    channel: C,
    options: SubscribeOptions,
    handler: DeliveryHandler<ChannelData[C]>,
  ): Promise<Subscription>;
}
