import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { AttemptsLedger } from './attempts-ledger.ts';
import type { JetStreamPublisher } from './publisher.ts';
import { RESTART_AFTER_MISSED_HEARTBEATS } from './pull-expiry.ts';
import { JetStreamSubscriber } from './subscriber.ts';
import { Topology } from './topology.ts';

// A consume whose pulls go unanswered while the connection is up is what a process sees when its server was
// cut off from the cluster and came back: the client's status events are the only signal, and one
// nats-server cannot be brought into that state, so the consume is modelled at the client's API here.

/** An async queue: what is pushed comes out of the iterator, until it is ended. */
class Feed<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #waiting: ((r: IteratorResult<T>) => void) | undefined;
  #done = false;

  push(item: T): void {
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w({ value: item, done: false });
    } else this.#items.push(item);
  }

  end(): void {
    this.#done = true;
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift()!, done: false });
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => (this.#waiting = r));
      },
    };
  }
}

type Status = { type: string; count?: number };

function fakeConsumes() {
  const consumes: { status: Feed<Status>; messages: Feed<never>; stops: number }[] = [];
  const waiters: [number, () => void][] = [];
  const js = {
    consumers: {
      async get() {
        return {
          async consume() {
            const c = { status: new Feed<Status>(), messages: new Feed<never>(), stops: 0 };
            consumes.push(c);
            for (const [n, r] of waiters) if (consumes.length >= n) r();
            return {
              [Symbol.asyncIterator]: () => c.messages[Symbol.asyncIterator](),
              status: () => c.status,
              stop: () => {
                c.stops++;
                c.messages.end();
                c.status.end();
              },
            };
          },
        };
      },
    },
  } as unknown as JetStreamClient;
  const started = (n: number) => new Promise<void>((r) => (consumes.length >= n ? r() : waiters.push([n, r])));
  return { js, consumes, started };
}

function recordingLogger() {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const log = { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (fields: Record<string, unknown>, msg: string) => void warnings.push({ fields, msg }), child: () => log };
  return { log: log as never, warnings };
}

async function subscribed(connected: () => boolean) {
  const { js, consumes, started } = fakeConsumes();
  const { log, warnings } = recordingLogger();
  const subscriber = new JetStreamSubscriber({
    js,
    jsm: { consumers: { add: async () => ({}) } } as unknown as JetStreamManager,
    topology: new Topology(),
    deadLetters: {} as JetStreamPublisher,
    tracer: trace.getTracer('test'),
    logger: log,
    attempts: {} as AttemptsLedger,
    recreateTopology: async () => undefined,
    maxDeadLetterPayload: 1024,
    closed: () => false,
    flush: async () => undefined,
    connected,
  });
  const sub = await subscriber.subscribe('results', { durable: 'herald-state' }, async () => undefined);
  await started(1);
  return { sub, consumes, started, warnings };
}

describe('a consume whose heartbeats stay missed', () => {
  it(`is started again once ${RESTART_AFTER_MISSED_HEARTBEATS} heartbeats in a row are missed while connected; the client's own re-pulls get their chance first`, async () => {
    const { sub, consumes, started, warnings } = await subscribed(() => true);
    for (let count = 2; count <= RESTART_AFTER_MISSED_HEARTBEATS; count++) consumes[0]!.status.push({ type: 'heartbeats_missed', count });
    await started(2);
    expect(consumes[0]!.stops).toBe(1);
    expect(warnings).toEqual([{ fields: expect.objectContaining({ count: RESTART_AFTER_MISSED_HEARTBEATS, consumer: 'herald-state' }), msg: 'no heartbeats from the server while connected; consuming again' }]);
    await sub.stop();
  });

  it('is left to the client while the connection is down (it pulls again itself on reconnect)', async () => {
    // Asked once per status, in order: down for the first one, up again after.
    let asked = 0;
    const { sub, consumes, started, warnings } = await subscribed(() => ++asked > 1);
    consumes[0]!.status.push({ type: 'heartbeats_missed', count: RESTART_AFTER_MISSED_HEARTBEATS + 1 });
    consumes[0]!.status.push({ type: 'reconnect' });
    consumes[0]!.status.push({ type: 'heartbeats_missed', count: RESTART_AFTER_MISSED_HEARTBEATS + 2 });
    await started(2);
    expect(warnings.map((w) => w.fields.count)).toEqual([RESTART_AFTER_MISSED_HEARTBEATS + 2]);
    await sub.stop();
  });
});
