import { AckPolicy, DeliverPolicy, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger, Subscription } from '@herald/plugin-sdk';
import { decodeKvGroup, decodeKvKey } from './kv-store.ts';
import { PULL_EXPIRES_MS, stalled } from './pull-expiry.ts';
import { isStreamNotFound } from './stream-not-found.ts';

export interface StateChangeOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  bucket: string;
  /** Durable consumer shared by every process that mirrors state: each change reaches one of them. */
  durable: string;
  logger: Logger;
  closed: () => boolean;
  /** True while the connection is up (not reconnecting); absent: always. */
  connected?: () => boolean;
  /** Creates the streams and buckets again when the server lost them (a store wiped). */
  recreateTopology?: () => Promise<void>;
  /** Changes handled at once. */
  concurrency?: number;
  ackWaitMs?: number;
}

/** One changed key of a group: its name and what was written (undefined: deleted or purged). */
export interface StateChange {
  key: string;
  value: string | undefined;
}

/** JetStream's "consumer already exists" with another configuration. */
const CONSUMER_EXISTS = 10148;

/**
 * Hands the group of every changed key of a KV bucket (see kv-store.ts; an object's UID in the state
 * bucket), with the change's revision (its stream sequence) and the change itself, to `handler`, from a durable consumer on the
 * bucket's stream: changes made while no process was listening are handled when one starts. A change is acknowledged once `handler` resolved; when it rejects,
 * the change comes back after a delay. The consumer is created again when it disappears (a server restarted
 * with an empty store, someone deleted it), like the bus's other consumers; a consumer created (first start,
 * or again) begins with the last value of every key, so every group in the bucket is handed over once:
 * nothing changed while it was missing is skipped.
 */
export async function consumeStateChanges(options: StateChangeOptions, handler: (group: string, revision: number, change?: StateChange) => Promise<void>): Promise<Subscription> {
  const { js, jsm, bucket, durable, logger, closed } = options;
  const connected = options.connected ?? (() => true);
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const concurrency = options.concurrency ?? 64;
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    // A new consumer starts with the bucket as it is (the last value of each key), then every change; an
    // existing one resumes.
    deliver_policy: DeliverPolicy.LastPerSubject,
    filter_subject: `${prefix}>`,
    ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
    max_ack_pending: concurrency,
  };
  const ensure = async () => {
    try {
      await jsm.consumers.add(stream, config);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === CONSUMER_EXISTS) return;
      if (!(isStreamNotFound(err) && options.recreateTopology)) throw err;
      await options.recreateTopology();
      await jsm.consumers.add(stream, config);
    }
  };
  await ensure();

  let stopping = false;
  let current: { stop(): void } | undefined;
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    for (let delay = 250; !stopping && !closed(); delay = Math.min(delay * 2, 10_000)) {
      try {
        const consumer = await js.consumers.get(stream, durable);
        const messages = await consumer.consume({ max_messages: concurrency, expires: PULL_EXPIRES_MS });
        current = messages;
        if (stopping) messages.stop();
        // Without this the client keeps pulling from a consumer that no longer exists, forever.
        void (async () => {
          for await (const status of messages.status()) {
            if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') {
              logger.warn({ status: status.type, durable }, 'the state-change consumer is gone; creating it again');
              messages.stop();
            } else if (stalled(status, !closed() && connected())) {
              // As the bus's other consumers (see RESTART_AFTER_MISSED_HEARTBEATS).
              logger.warn({ status: status.type, count: status.count, durable }, 'no heartbeats from the server while connected; consuming state changes again');
              messages.stop();
            }
          }
        })();
        for await (const m of messages) {
          delay = 250;
          const kvKey = m.subject.slice(prefix.length);
          const uid = decodeKvGroup(kvKey);
          const operation = m.headers?.get('KV-Operation');
          const change = { key: decodeKvKey(kvKey), value: operation === 'DEL' || operation === 'PURGE' ? undefined : m.string() };
          const work = (uid === undefined ? Promise.resolve() : handler(uid, m.seq, change)).then(
            () => m.ack(),
            (err: unknown) => {
              logger.warn({ err, group: uid }, 'state change not handled; it comes back later');
              m.nak(2_000);
            },
          );
          inFlight.add(work);
          void work.finally(() => inFlight.delete(work));
          while (inFlight.size >= concurrency) await Promise.race(inFlight);
        }
      } catch (err) {
        if (stopping || closed()) break;
        logger.error({ err }, 'consuming state changes failed; trying again');
      }
      if (stopping || closed()) break;
      await new Promise((r) => setTimeout(r, delay));
      await ensure().catch((err: unknown) => logger.warn({ err }, 'cannot create the state-change consumer yet'));
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        current?.stop();
        await loop;
        await Promise.allSettled([...inFlight]);
      })()),
  };
}
