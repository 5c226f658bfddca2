import type { JsMsg } from '@nats-io/jetstream';

/**
 * The header naming the object an event is about (its partition key: the object's UID). An ordered
 * subscription handles the messages of one object one after another and those of different objects of the
 * same partition in parallel; a message without it (a publisher that does not set it) waits for every
 * message of its partition before it, as all did before the header existed.
 */
export const ORDER_KEY_HEADER = 'Herald-Order-Key';

/** What an ordered subscription keeps in order: the partition (the subject) and, when named, the object in it. */
export function orderKeyOf(m: JsMsg): string {
  const key = m.headers?.get(ORDER_KEY_HEADER);
  return key ? `${m.subject}\n${key}` : m.subject;
}
