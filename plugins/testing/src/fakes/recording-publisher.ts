import type { BusPublisher, Channel, DeadLetterReason, DeliveryResultData, NotificationData, PublishOptions, PublishReceipt, ResourceEventData } from '@herald/plugin-sdk';

/** One message a recording publisher took. */
export interface Published {
  channel: Channel;
  data: unknown;
  options: PublishOptions | undefined;
  /** Set for `deadLetter` calls: the channel the message was meant for, and why it was not published there. */
  deadLetter?: { channel: Channel; why: DeadLetterReason };
}

export interface RecordingPublisher extends BusPublisher {
  /** The messages the bus would have stored: one per idempotency key. */
  readonly published: Published[];
  /** Every call, duplicates included. */
  readonly calls: Published[];
}

/**
 * A BusPublisher that keeps every message in memory. Like the bus, it takes `options.id` as the message's
 * idempotency key or derives the bus's default one from the data, and keeps a second message with a key it
 * has seen only as a duplicate (`duplicate: true` in the receipt, not in `published`).
 */
export function recordingPublisher(): RecordingPublisher {
  const published: Published[] = [];
  const calls: Published[] = [];
  const seen = new Set<string>();
  const take = async (entry: Published, stream: string): Promise<PublishReceipt> => {
    calls.push(entry);
    const id = publishId(entry);
    const duplicate = seen.has(id);
    seen.add(id);
    if (!duplicate) published.push(entry);
    return { id, stream, seq: published.length, duplicate };
  };
  return {
    published,
    calls,
    resourceEvent: (data, options) => take({ channel: 'events', data, options }, 'HERALD_EVENTS'),
    notification: (data, options) => take({ channel: 'notifications', data, options }, 'HERALD_NOTIFICATIONS'),
    deliveryResult: (data, options) => take({ channel: 'results', data, options }, 'HERALD_RESULTS'),
    deadLetter: (channel, data, why, options) => take({ channel: 'deadLetters', data, options, deadLetter: { channel, why } }, 'HERALD_DLQ'),
  };
}

/** The idempotency key a message gets on the bus: `options.id`, else the default of its channel. */
export function publishId(entry: Pick<Published, 'channel' | 'data' | 'options' | 'deadLetter'>): string {
  if (entry.options?.id !== undefined) return entry.options.id;
  const data = entry.data as Partial<ResourceEventData & NotificationData & DeliveryResultData>;
  switch (entry.channel) {
    case 'events':
      return `${data.ref?.uid}:${data.resourceVersion}:${data.action}`;
    case 'notifications':
      return `${data.idempotencyKey}:${data.claimRevision}`;
    case 'results':
      return `${data.idempotencyKey}:${data.claimRevision}:${data.attempts}`;
    case 'deadLetters':
      // The bus also names the stream and the publisher; the channel tells them apart here.
      return `dlq:${entry.deadLetter?.channel}:${publishId({ channel: entry.deadLetter?.channel ?? 'events', data: entry.data, options: undefined })}`;
  }
}
