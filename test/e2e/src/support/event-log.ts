import { setTimeout as delay } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { CloudEvent, ResourceEventData } from '@herald/plugin-sdk';

/** One message of the events stream, as a consumer sees it. */
export interface RecordedEvent {
  seq: number;
  subject: string;
  msgId: string | undefined;
  event: CloudEvent<ResourceEventData>;
  data: ResourceEventData;
}

export interface EventLog {
  readonly stream: string;
  readonly events: readonly RecordedEvent[];
  /** Resolves with the first recorded event that matches, waiting for it. */
  waitFor(match: (e: RecordedEvent) => boolean, what: string, timeoutMs?: number): Promise<RecordedEvent>;
  /** The events of one object, in stream order. */
  of(name: string, namespace?: string): RecordedEvent[];
  close(): Promise<void>;
}

/**
 * Reads a Herald events stream from its start with an ordered JetStream consumer on a connection of its
 * own, the way any other consumer of the bus would.
 */
export async function readEventLog(servers: string, stream: string): Promise<EventLog> {
  const nc: NatsConnection = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  const events: RecordedEvent[] = [];
  const reading = (async () => {
    for await (const m of messages) {
      const event = m.json<CloudEvent<ResourceEventData>>();
      events.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), event, data: event.data });
    }
  })();
  const describe = () => events.map((e) => `${e.data.action} ${e.data.ref.namespace ?? ''}/${e.data.ref.name}@${e.data.resourceVersion}`).join(', ') || 'none';
  return {
    stream,
    events,
    async waitFor(match, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no event on ${stream} for ${what} within ${timeoutMs} ms (seen: ${describe()})`);
        await delay(50);
      }
    },
    of(name, namespace) {
      return events.filter((e) => e.data.ref.name === name && (namespace === undefined || e.data.ref.namespace === namespace));
    },
    async close() {
      await messages.close();
      await reading.catch(() => undefined);
      await nc.close();
    },
  };
}
