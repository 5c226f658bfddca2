import type { JetStreamManager } from '@nats-io/jetstream';
import { metrics, type BatchObservableCallback, type Meter, type Observable } from '@opentelemetry/api';

/** How long one scrape waits for the server's answer about one consumer or stream before leaving it out. */
const ASK_WITHIN_MS = 1_000;

interface Watched {
  stream: string;
  /** The durable consumers of one subscription (one per partition on a partitioned channel). */
  consumers: readonly string[];
  /** The subscription's durable and the partitions this process pulls on now (partitioned channels only). */
  share?: { durable: string; owned: () => number };
}

function within<T>(work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ASK_WITHIN_MS);
    timer.unref();
  });
  return Promise.race([work.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/**
 * The bus as Prometheus sees it, asked of the server at each scrape (observable gauges, nothing kept
 * between scrapes): the backlog of each durable consumer this process consumes through, the dead-letter
 * stream's depth, and how many partitions this replica pulls on. Labels are stream and durable names:
 * bounded by the topology and the configured service types, never by objects or recipients. Every process
 * that consumes a durable reports the same server-side numbers: aggregate with `max`, not `sum`.
 */
export class BusMetrics {
  readonly #jsm: JetStreamManager;
  readonly #deadLetterStream: string;
  readonly #watched = new Set<Watched>();
  readonly #pending: Observable;
  readonly #ackPending: Observable;
  readonly #deadLetters: Observable;
  readonly #owned: Observable;
  readonly #observe: BatchObservableCallback;
  readonly #meter: Meter;
  #closed = false;

  constructor(jsm: JetStreamManager, deadLetterStream: string) {
    this.#jsm = jsm;
    this.#deadLetterStream = deadLetterStream;
    const meter = (this.#meter = metrics.getMeter('@herald/core-bus'));
    this.#pending = meter.createObservableGauge('herald.bus.consumer.pending', {
      description: 'Messages of the stream a durable consumer has not delivered yet (its backlog), by stream and durable',
    });
    this.#ackPending = meter.createObservableGauge('herald.bus.consumer.ack_pending', {
      description: 'Messages a durable consumer delivered that are not acknowledged yet (being handled, or waiting for redelivery)',
    });
    this.#deadLetters = meter.createObservableGauge('herald.bus.dead_letters', { description: 'Messages in the dead-letter stream' });
    this.#owned = meter.createObservableGauge('herald.bus.partitions.owned', {
      description: 'Partitions of a partitioned durable (the events) this replica pulls on now',
    });
    this.#observe = async (result) => {
      if (this.#closed) return;
      const asks: Promise<void>[] = [];
      const seen = new Set<string>();
      for (const w of this.#watched) {
        if (w.share) result.observe(this.#owned, w.share.owned(), { durable: w.share.durable });
        for (const durable of w.consumers) {
          const key = `${w.stream}\u0000${durable}`;
          if (seen.has(key)) continue;
          seen.add(key);
          asks.push(
            within(this.#jsm.consumers.info(w.stream, durable)).then((info) => {
              if (!info) return;
              result.observe(this.#pending, info.num_pending, { stream: w.stream, durable });
              result.observe(this.#ackPending, info.num_ack_pending, { stream: w.stream, durable });
            }),
          );
        }
      }
      asks.push(
        within(this.#jsm.streams.info(this.#deadLetterStream)).then((info) => {
          if (info) result.observe(this.#deadLetters, info.state.messages, { stream: this.#deadLetterStream });
        }),
      );
      await Promise.all(asks);
    };
    meter.addBatchObservableCallback(this.#observe, [this.#pending, this.#ackPending, this.#deadLetters, this.#owned]);
  }

  /** Reports a subscription's consumers until the returned function is called. */
  watch(watched: Watched): () => void {
    this.#watched.add(watched);
    return () => this.#watched.delete(watched);
  }

  /** Stops observing (the connection is closing). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#meter.removeBatchObservableCallback(this.#observe, [this.#pending, this.#ackPending, this.#deadLetters, this.#owned]);
  }
}
