import type { BusPublisher, Channel, DeadLetterReason, PublishOptions, PublishReceipt } from '@herald/plugin-sdk';

/** One message a recording publisher took. */
export interface Published {
  channel: Channel;
  data: unknown;
  options: PublishOptions | undefined;
  /** Set for `deadLetter` calls: the channel the message was meant for, and why it was not published there. */
  deadLetter?: { channel: Channel; why: DeadLetterReason };
}

export interface RecordingPublisher extends BusPublisher {
  readonly published: Published[];
}

/** A BusPublisher that keeps every message in memory; an id seen before is reported as a duplicate. */
export function recordingPublisher(): RecordingPublisher {
  const published: Published[] = [];
  const seen = new Set<string>();
  const take = async (entry: Published, stream: string): Promise<PublishReceipt> => {
    const id = entry.options?.id ?? `${entry.channel}-${published.length + 1}`;
    const duplicate = seen.has(id);
    seen.add(id);
    if (!duplicate) published.push(entry);
    return { id, stream, seq: published.length, duplicate };
  };
  return {
    published,
    resourceEvent: (data, options) => take({ channel: 'events', data, options }, 'HERALD_EVENTS'),
    notification: (data, options) => take({ channel: 'notifications', data, options }, 'HERALD_NOTIFICATIONS'),
    deliveryResult: (data, options) => take({ channel: 'results', data, options }, 'HERALD_RESULTS'),
    deadLetter: (channel, data, why, options) => take({ channel: 'deadLetters', data, options, deadLetter: { channel, why } }, 'HERALD_DLQ'),
  };
}
