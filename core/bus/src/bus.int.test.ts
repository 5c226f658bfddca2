import { DiscardPolicy, jetstream, StorageType } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { BUS_CLOSED_ERROR_CODE, EventTypes, HeraldError, isBusClosed, type CloudEvent, type DeadLetterData, type Delivery, type ResourceEventData } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Bus, type BusOptions } from './bus.ts';
import { BusInspector } from './bus-inspector.ts';
import { DeadLetterStore, originalPayload, type DeadLetter } from './dead-letters.ts';
import { BusError, BusErrorCodes } from './errors.ts';
import { HandBackError } from './hand-back.ts';
import { defaultTopology } from './topology.ts';

const logger = createLogger('bus-test', { level: 'silent' });
const spans = new InMemorySpanExporter();
const tracer = startTelemetry({ serviceName: 'bus-test', serviceVersion: '0.0.0', spanProcessors: [new SimpleSpanProcessor(spans)] }).tracer('bus-test');

function event(name: string, resourceVersion = '1'): ResourceEventData {
  return {
    action: 'MODIFIED',
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
    resourceVersion,
    object: { metadata: { name } },
  };
}

/** Collects deliveries and lets a test wait for a count. */
function collector<T>() {
  const seen: Delivery<T>[] = [];
  const waiters: Array<() => void> = [];
  return {
    seen,
    handler: async (d: Delivery<T>) => {
      seen.push(d);
      waiters.splice(0).forEach((w) => w());
    },
    async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (seen.length < count) {
        if (Date.now() > deadline) throw new Error(`saw ${seen.length} of ${count} deliveries`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

let nats: NatsServer;
let bus: Bus;
const opened: Bus[] = [];
const options = (): BusOptions => ({
  servers: [nats.url],
  name: 'bus-test',
  subscriber: { ackWaitMs: 5_000, backoffBaseMs: 50, backoffMaxMs: 200 },
});

const MiB = 1024 * 1024;
/** Small limits: JetStream reserves each stream's max bytes against the server's share of the free disk. */
const smallTopology = {
  ...defaultTopology,
  streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 32 * MiB }])) as typeof defaultTopology.streams,
  state: { maxBytes: 16 * MiB, replicas: 1 },
};

/** A bus with its own streams and subjects, so one test's messages never reach another's consumers. */
async function isolatedBus(name: string): Promise<Bus> {
  const topology = { ...smallTopology, subjectPrefix: name, namePrefix: name.toUpperCase() };
  const b = await Bus.connect({ ...options(), topology }, logger);
  opened.push(b);
  return b;
}

async function deadLetters(bus: Bus, durable: string, count: number): Promise<CloudEvent<DeadLetterData>[]> {
  const seen = collector<DeadLetterData>();
  const sub = await bus.subscriber(tracer, logger).subscribe('deadLetters', { durable }, seen.handler);
  await seen.waitFor(count);
  await sub.stop();
  return seen.seen.map((d) => d.event);
}

beforeAll(async () => {
  nats = await startNats();
  bus = await Bus.connect(options(), logger);
});
afterAll(async () => {
  for (const b of [bus, ...opened]) await b?.drain();
  await nats?.stop();
});

describe('topology', () => {
  it('creates the streams and the KV buckets with explicit limits, idempotently', async () => {
    const again = await Bus.connect(options(), logger);
    await again.drain();
    const events = await bus.jsm.streams.info('HERALD_EVENTS');
    expect(events.config.subjects).toEqual(['herald.events.>']);
    expect(events.config.max_age).toBe(24 * 3_600_000 * 1_000_000);
    expect(events.config.max_bytes).toBe(1024 ** 3);
    expect(events.config.duplicate_window).toBe(120_000 * 1_000_000);
    const names: string[] = [];
    for await (const s of bus.jsm.streams.list()) names.push(s.config.name);
    expect(names.sort()).toEqual(['HERALD_DEAD_LETTERS', 'HERALD_EVENTS', 'HERALD_NOTIFICATIONS', 'HERALD_RESULTS', 'KV_HERALD_ATTEMPTS', 'KV_HERALD_MEMBERS', 'KV_HERALD_PACE', 'KV_HERALD_PLUGINS', 'KV_HERALD_STATE']);
    // A destination's shared pace is forgotten an hour after its last turn.
    expect((await bus.jsm.streams.info('KV_HERALD_PACE')).config.max_age).toBe(3_600_000 * 1_000_000);
  });

  it('brings limits up to date when the config changes', async () => {
    const topology = {
      ...defaultTopology,
      streams: { ...defaultTopology.streams, results: { ...defaultTopology.streams.results, maxAgeMs: 3_600_000 } },
      state: { ...defaultTopology.state, maxBytes: 10 * 1024 * 1024 },
    };
    const changed = await Bus.connect({ ...options(), topology }, logger);
    await changed.drain();
    expect((await bus.jsm.streams.info('HERALD_RESULTS')).config.max_age).toBe(3_600_000 * 1_000_000);
    expect((await bus.jsm.streams.info('KV_HERALD_STATE')).config.max_bytes).toBe(10 * 1024 * 1024);
    // The bookkeeping buckets follow the configured state size: a small store reserves no more.
    expect((await bus.jsm.streams.info('KV_HERALD_ATTEMPTS')).config.max_bytes).toBe(10 * 1024 * 1024);
    expect((await bus.jsm.streams.info('KV_HERALD_MEMBERS')).config.max_bytes).toBe(8 * 1024 * 1024);
    expect((await bus.jsm.streams.info('KV_HERALD_PACE')).config.max_bytes).toBe(8 * 1024 * 1024);
    // The server's max_payload (1 MiB by default) caps what a stream is told to accept.
    expect((await bus.jsm.streams.info('HERALD_EVENTS')).config.max_msg_size).toBe(bus.nc.info!.max_payload);
  });
});

describe('break 4: stream limits drop undelivered notifications silently', () => {
  it('a full stream refuses new publishes as retryable, naming the stream, loses nothing it holds, and takes more once consumers acknowledged', async () => {
    const name = 'fullstream';
    const topology = { ...smallTopology, subjectPrefix: name, namePrefix: name.toUpperCase(), streams: { ...smallTopology.streams, events: { ...smallTopology.streams.events, maxBytes: 64 * 1024 } } };
    const full = await Bus.connect({ ...options(), topology, publisher: { publishTimeoutMs: 1_000, attemptTimeoutMs: 500, maxInflight: 16 } }, logger);
    opened.push(full);
    const stream = full.topology.streamName('events');
    expect((await full.jsm.streams.info(stream)).config.discard).toBe('new');
    const filter = String(full.topology.partitionOf('uid-full'));
    // A durable that has handled nothing yet: what the stream holds is undelivered.
    await (await full.subscriber(tracer, logger).subscribe('events', { durable: 'full-test', filter }, async () => undefined)).stop();
    const publisher = full.publisher('herald/test', tracer);
    const padded = (rv: number): ResourceEventData => ({ ...event('full', String(rv)), object: { metadata: { name: 'full' }, pad: 'x'.repeat(2_000) } });
    let stored = 0;
    let refused: unknown;
    for (let rv = 1; rv <= 200 && refused === undefined; rv++) {
      try {
        await publisher.resourceEvent(padded(rv));
        stored++;
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(HeraldError);
    expect(refused).toMatchObject({ code: 'HERALD_ERR_BUS_STREAM_FULL', retryable: true });
    expect((refused as Error).message).toContain(stream);
    // Nothing was dropped to make room: every stored message is still there, from the first.
    const state = (await full.jsm.streams.info(stream)).state;
    expect(state.first_seq).toBe(1);
    expect(state.messages).toBe(stored);
    // The consumer catches up; what it acknowledged is purged when the next publish needs the room.
    const seen = collector<ResourceEventData>();
    const sub = await full.subscriber(tracer, logger).subscribe('events', { durable: 'full-test', filter }, seen.handler);
    await seen.waitFor(stored);
    await sub.stop();
    await publisher.resourceEvent(padded(1_000));
    expect(seen.seen.map((d) => Number(d.event.data.resourceVersion))).toEqual(Array.from({ length: stored }, (_, i) => i + 1));
  });

  it('a handler whose publish meets a full stream waits: no attempt counted, nothing dead-lettered', async () => {
    const b = await isolatedBus('backpressure');
    const publisher = b.publisher('herald/test', tracer);
    await publisher.resourceEvent(event('waiting'));
    let calls = 0;
    const seen = collector<ResourceEventData>();
    // maxDeliver 1: one real failure would dead-letter it.
    const sub = await b.subscriber(tracer, logger).subscribe('events', { durable: 'backpressure-test', filter: String(b.topology.partitionOf('uid-waiting')), maxDeliver: 1 }, async (d) => {
      if (++calls <= 3) throw new BusError(BusErrorCodes.streamFull, 'stream BACKPRESSURE_NOTIFICATIONS is full', { retryable: true });
      await seen.handler(d);
    });
    await seen.waitFor(1);
    await sub.stop();
    expect(calls).toBe(4);
    expect((await b.jsm.streams.info(b.topology.streamName('deadLetters'))).state.messages).toBe(0);
  });

  // maxDeliver 1: one counted failure would dead-letter the event. Its first three handlings meet the bus failing
  // for real, as a claim write does while a bucket elects its leader.
  it.each([
    {
      what: 'finds no server answering for its stream',
      // A bucket no server holds: the real server answers "no responders" (nats.js: "jetstream is not enabled").
      fail: (b: Bus) => b.js.publish('$KV.NO_SUCH_BUCKET.a.b', 'pending'),
      failure: (err: Error) => err.name,
      expected: 'JetStreamNotEnabled',
    },
    {
      what: 'gets no answer in time',
      // Something listens and never answers, as a bucket's leader being elected does not.
      fail: async (b: Bus) => {
        const silent = b.nc.subscribe('late.silent');
        try {
          await b.nc.request('late.silent', 'claim', { timeout: 50 });
        } finally {
          silent.unsubscribe();
        }
      },
      failure: (err: Error) => err.message,
      expected: 'timeout',
    },
  ])('a handler whose request $what waits: no attempt counted, nothing dead-lettered', async ({ what, fail, failure, expected }) => {
    const name = what.split(' ')[0]!;
    const b = await isolatedBus(`unavailable${name}`);
    await b.publisher('herald/test', tracer).resourceEvent(event(name));
    let calls = 0;
    const failures: string[] = [];
    const seen = collector<ResourceEventData>();
    const sub = await b.subscriber(tracer, logger).subscribe('events', { durable: 'unavailable-test', filter: String(b.topology.partitionOf(`uid-${name}`)), maxDeliver: 1 }, async (d) => {
      if (++calls <= 3) {
        try {
          await fail(b);
        } catch (err) {
          failures.push(failure(err as Error));
          throw err;
        }
      }
      await seen.handler(d);
    });
    await seen.waitFor(1);
    await sub.stop();
    expect(calls).toBe(4);
    expect(failures).toEqual([expected, expected, expected]);
    expect((await b.jsm.streams.info(b.topology.streamName('deadLetters'))).state.messages).toBe(0);
  });

  it("a sink's delivery failing with a NATS no-responders of its destination's is that delivery's failure: dead-lettered", async () => {
    const b = await isolatedBus('destination');
    await b.publisher('herald/test', tracer).notification({
      trigger: 'on-ready',
      conditionKey: '[0].abc',
      template: 'ready',
      destination: { serviceType: 'nats', service: 'bus', recipient: 'orders' },
      stateKey: 'key-1',
      idempotencyKey: 'idem-1',
      claimRevision: 1,
      ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'p1', uid: 'uid-1' },
      rendered: { message: 'hi' },
    });
    let calls = 0;
    const sub = await b.subscriber(tracer, logger).subscribe('notifications', { durable: 'destination-test', maxDeliver: 1 }, async () => {
      calls++;
      await b.js.publish('orders.no-stream', 'hi');
    });
    const letters = await deadLetters(b, 'destination-letters', 1);
    await sub.stop();
    expect(calls).toBe(1);
    expect(letters[0]!.data.reason).toBe('gave up after 1 attempts: jetstream is not enabled');
  });

  it("keeps one dead letter per notification that keeps failing, the newest, and one of each other notification's", async () => {
    const name = 'dlqrollup';
    const b = await isolatedBus(name);
    const topology = { ...smallTopology, subjectPrefix: name, namePrefix: name.toUpperCase() };
    const notification = (stateKey: string, claimRevision: number) => ({
      trigger: 'on-ready',
      conditionKey: '[0].abc',
      template: 'ready',
      destination: { serviceType: 'webhook', service: 'hook', recipient: '' },
      stateKey,
      idempotencyKey: `idem-${stateKey}`,
      claimRevision,
      ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: stateKey, uid: `uid-${stateKey}` },
      rendered: { message: `try ${claimRevision}` },
    });
    const publisher = b.publisher('herald/test', tracer);
    // A destination down: the same notification sent again three times (as at each resync), another once.
    for (const n of [notification('pod-a', 1), notification('pod-a', 2), notification('pod-b', 1), notification('pod-a', 3)]) await publisher.notification(n);
    // A letter an older Herald wrote, on the origin's own subject: read and purged with the others.
    const older = await publisher.deadLetter('notifications', notification('pod-c', 1), { code: 'HERALD_ERR_TEST', reason: 'never stored' });
    const stream = b.topology.streamName('deadLetters');
    const stored = await b.jsm.streams.getMessage(stream, { seq: older.seq });
    await b.js.publish(b.topology.deadLetterSubject('notifications'), stored!.data, { msgID: 'older-herald' });
    await b.jsm.streams.deleteMessage(stream, older.seq);
    let calls = 0;
    const sub = await b.subscriber(tracer, logger).subscribe('notifications', { durable: 'rollup-test', maxDeliver: 1 }, async () => {
      calls++;
      throw new HeraldError('HERALD_ERR_TEST_DOWN', 'the destination is down');
    });
    const store = await DeadLetterStore.connect({ servers: [nats.url], topology, timeoutMs: 5_000 });
    const inspector = await BusInspector.connect({ servers: [nats.url], topology, timeoutMs: 5_000 });
    await vi.waitFor(async () => expect(calls).toBe(4), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await b.jsm.streams.info(stream)).state.messages).toBe(3), { timeout: 10_000 });
    await sub.stop();
    const letters: DeadLetter[] = [];
    for await (const letter of store.letters({ channel: 'notifications' })) letters.push(letter);
    expect(letters.map((l) => l.subject.split('.').length)).toEqual([3, 4, 4]);
    const tried = (l: DeadLetter) => (JSON.parse(originalPayload(l.data!).toString()) as { data: { stateKey: string; rendered: { message: string } } }).data;
    expect(letters.map((l) => [l.channel, tried(l).stateKey, tried(l).rendered.message])).toEqual([
      ['notifications', 'pod-c', 'try 1'],
      ['notifications', 'pod-b', 'try 1'],
      ['notifications', 'pod-a', 'try 3'],
    ]);
    expect(await store.counts()).toEqual({ notifications: 3 });
    expect((await inspector.streams()).find((s) => s.channel === 'deadLetters')?.subjects).toEqual({ notifications: 3 });
    // What the state role's sweep reads: the newest letter of each notification, not an older Herald's, at most `limit`.
    const newest = await b.notificationDeadLetters(10);
    expect(newest.map((l) => [tried(l).stateKey, tried(l).rendered.message]).sort()).toEqual([
      ['pod-a', 'try 3'],
      ['pod-b', 'try 1'],
    ]);
    // In the order of their subjects, from after a given one: a sweep at its limit goes on from there.
    const [first] = await b.notificationDeadLetters(1);
    expect((await b.notificationDeadLetters(1, first!.subject)).map((l) => l.subject)).toEqual(newest.map((l) => l.subject).filter((subject) => subject !== first!.subject));
    expect(await b.notificationDeadLetters(5, newest.map((l) => l.subject).sort()[1])).toEqual([]);
    // Removing a letter read never removes a newer one of the same notification, written meanwhile.
    const podA = newest.find((l) => tried(l).stateKey === 'pod-a')!;
    await publisher.deadLetter('notifications', notification('pod-a', 4), { code: 'HERALD_ERR_TEST', reason: 'failed again' });
    expect(await b.removeDeadLetter(podA)).toBe(0);
    expect(await b.removeDeadLetter(newest.find((l) => tried(l).stateKey === 'pod-b')!)).toBe(1);
    expect((await b.notificationDeadLetters(10)).map((l) => [tried(l).stateKey, tried(l).rendered.message])).toEqual([['pod-a', 'try 4']]);
    expect(await store.purge('notifications')).toBe(2);
    expect((await b.jsm.streams.info(stream)).state.messages).toBe(0);
    await store.close();
    await inspector.close();
  });

  it('brings a stream created with discard old (an older Herald) to discard new', async () => {
    const name = 'discardold';
    const topology = { ...smallTopology, subjectPrefix: name, namePrefix: name.toUpperCase() };
    const stream = `${name.toUpperCase()}_NOTIFICATIONS`;
    await bus.jsm.streams.add({ name: stream, subjects: [`${name}.notifications.>`], discard: DiscardPolicy.Old, max_bytes: 32 * MiB, storage: StorageType.File });
    opened.push(await Bus.connect({ ...options(), topology }, logger));
    opened.push(await Bus.connect({ ...options(), topology }, logger));
    expect((await bus.jsm.streams.info(stream)).config.discard).toBe('new');
  });

  it('lets the dead-letter stream of an older Herald take rollups (a notification\'s newest dead letter replaces the earlier)', async () => {
    const name = 'norollup';
    const topology = { ...smallTopology, subjectPrefix: name, namePrefix: name.toUpperCase() };
    const stream = `${name.toUpperCase()}_DEAD_LETTERS`;
    await bus.jsm.streams.add({ name: stream, subjects: [`${name}.dlq.>`], discard: DiscardPolicy.New, max_bytes: 32 * MiB, storage: StorageType.File });
    expect((await bus.jsm.streams.info(stream)).config.allow_rollup_hdrs).toBe(false);
    opened.push(await Bus.connect({ ...options(), topology }, logger));
    expect((await bus.jsm.streams.info(stream)).config.allow_rollup_hdrs).toBe(true);
  });
});

describe('topology errors', () => {
  it('names the stream when the server has not the storage a limit asks for', async () => {
    const name = 'toobig';
    const topology = { ...smallTopology, subjectPrefix: name, namePrefix: name.toUpperCase(), state: { maxBytes: 2 ** 50, replicas: 1 } };
    await expect(Bus.connect({ ...options(), topology }, logger)).rejects.toThrow(/KV_TOOBIG_STATE.*insufficient storage resources/);
  });
});

describe('publish and subscribe', () => {
  it('delivers an event with its traceparent and Nats-Msg-Id, and stores a repeated id once', async () => {
    const seen = collector<ResourceEventData>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'dedup-test' }, seen.handler);
    const publisher = bus.publisher('herald/test', tracer);
    const first = await publisher.resourceEvent(event('web-1'));
    const second = await publisher.resourceEvent(event('web-1'));
    expect(first).toMatchObject({ id: 'uid-web-1:1:MODIFIED', stream: 'HERALD_EVENTS', duplicate: false });
    expect(second).toMatchObject({ id: first.id, seq: first.seq, duplicate: true });
    await seen.waitFor(1);
    const delivery = seen.seen[0]!;
    expect(delivery.headers['Nats-Msg-Id']).toBe('uid-web-1:1:MODIFIED');
    expect(delivery.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(delivery.event).toMatchObject({ specversion: '1.0', id: first.id, type: EventTypes.resource, source: 'herald/test', subject: 'default/web-1' });
    expect(delivery.event.data).toEqual(event('web-1'));
    // Give a wrongly kept duplicate every chance to arrive.
    await new Promise((r) => setTimeout(r, 500));
    await sub.stop();
    expect(seen.seen).toHaveLength(1);
  });

  it('keys a resync of an unchanged object by its resync, so the bus keeps it beside the event it repeats, and each resync once', async () => {
    // A stream of its own: the durable reads the stream from its start.
    const resyncBus = await isolatedBus('resynced');
    const seen = collector<ResourceEventData>();
    const sub = await resyncBus.subscriber(tracer, logger).subscribe('events', { durable: 'resync-test' }, seen.handler);
    const publisher = resyncBus.publisher('herald/test', tracer);
    const change = await publisher.resourceEvent(event('resynced', '7'));
    const resync = await publisher.resourceEvent({ ...event('resynced', '7'), resync: '40' });
    const again = await publisher.resourceEvent({ ...event('resynced', '7'), resync: '40' });
    const next = await publisher.resourceEvent({ ...event('resynced', '7'), resync: '90' });
    expect([change, resync, again, next].map((r) => [r.id, r.duplicate])).toEqual([
      ['uid-resynced:7:MODIFIED', false],
      ['uid-resynced:7:resync:40', false],
      ['uid-resynced:7:resync:40', true],
      ['uid-resynced:7:resync:90', false],
    ]);
    await seen.waitFor(3);
    await sub.stop();
    expect(seen.seen.map((d) => [d.headers['Nats-Msg-Id'], d.event.data.resync])).toEqual([
      ['uid-resynced:7:MODIFIED', undefined],
      ['uid-resynced:7:resync:40', '40'],
      ['uid-resynced:7:resync:90', '90'],
    ]);
  });

  it('continues the publisher’s trace in the consumer, across the bus', async () => {
    const traced = await isolatedBus('traced');
    spans.reset();
    const sub = await traced.subscriber(tracer, logger).subscribe('events', { durable: 'trace-test' }, async () => {
      tracer.startSpan('evaluate').end();
    });
    await traced.publisher('herald/test', tracer).resourceEvent(event('traced'));
    const deadline = Date.now() + 10_000;
    while (!spans.getFinishedSpans().some((s) => s.name.startsWith('process')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    const finished = spans.getFinishedSpans();
    const publish = finished.find((s) => s.kind === SpanKind.PRODUCER)!;
    const process = finished.find((s) => s.kind === SpanKind.CONSUMER)!;
    const evaluate = finished.find((s) => s.name === 'evaluate')!;
    expect(publish.name).toBe(`publish traced.events.${traced.topology.partitionOf('uid-traced')}`);
    expect(process.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(evaluate.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
  });

  it('keeps the order of one object and resumes a durable consumer where it stopped', async () => {
    const publisher = bus.publisher('herald/test', tracer);
    const first = collector<ResourceEventData>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'resume-test', filter: String(bus.topology.partitionOf('uid-ordered')) }, first.handler);
    for (let i = 1; i <= 5; i++) await publisher.resourceEvent(event('ordered', String(i)));
    await first.waitFor(5);
    await sub.stop();
    for (let i = 6; i <= 8; i++) await publisher.resourceEvent(event('ordered', String(i)));
    const second = collector<ResourceEventData>();
    const resumed = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'resume-test', filter: String(bus.topology.partitionOf('uid-ordered')) }, second.handler);
    await second.waitFor(3);
    await resumed.stop();
    expect(first.seen.map((d) => d.event.data.resourceVersion)).toEqual(['1', '2', '3', '4', '5']);
    expect(second.seen.map((d) => d.event.data.resourceVersion)).toEqual(['6', '7', '8']);
  });

  it("does not hold an object's events behind another object's slow one in the same partition", async () => {
    const ordering = await isolatedBus('byobject');
    const publisher = ordering.publisher('herald/test', tracer);
    // Two objects of one partition: the first's first event waits until the other's has been handled.
    const slow = 'slow';
    const partition = ordering.topology.partitionOf(`uid-${slow}`);
    let other = 'other-0';
    for (let i = 1; ordering.topology.partitionOf(`uid-${other}`) !== partition; i++) other = `other-${i}`;
    let otherHandled!: () => void;
    const otherDone = new Promise<void>((resolve) => (otherHandled = resolve));
    const handled: string[] = [];
    const sub = await ordering.subscriber(tracer, logger).subscribe('events', { durable: 'by-object-test', filter: String(partition) }, async (d) => {
      const { name } = d.event.data.ref;
      if (name === slow && d.event.data.resourceVersion === '1') await otherDone;
      handled.push(`${name}/${d.event.data.resourceVersion}`);
      if (name === other) otherHandled();
    });
    for (let i = 1; i <= 3; i++) await publisher.resourceEvent(event(slow, String(i)));
    await publisher.resourceEvent(event(other, '1'));
    const deadline = Date.now() + 20_000;
    while (handled.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    expect(handled).toEqual([`${other}/1`, `${slow}/1`, `${slow}/2`, `${slow}/3`]);
  });
});

describe('failures', () => {

  it('sends a malformed message to the dead-letter stream with the reason, without calling the handler', async () => {
    const bus = await isolatedBus('malformed');
    const handled = collector<ResourceEventData>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'malformed-test', filter: '15' }, handled.handler);
    const h = natsHeaders();
    h.set('Nats-Msg-Id', 'garbage-1');
    await bus.js.publish('malformed.events.15', new TextEncoder().encode('{"specversion":"1.0","id":"x"}'), { headers: h });
    await bus.js.publish('malformed.events.15', new TextEncoder().encode('not json at all'), { msgID: 'garbage-2' });
    const [first, second] = await deadLetters(bus, 'dlq-malformed', 2);
    await sub.stop();
    expect(handled.seen).toHaveLength(0);
    expect(first!.data).toMatchObject({
      code: 'HERALD_ERR_BUS_MALFORMED_MESSAGE',
      consumer: 'malformed-test',
      original: { stream: 'MALFORMED_EVENTS', subject: 'malformed.events.15', payload: '{"specversion":"1.0","id":"x"}', headers: { 'Nats-Msg-Id': 'garbage-1' } },
    });
    expect(first!.data.reason).toMatch(/^invalid io\.herald\.resource\.v1 envelope at (source|type|time|data)/);
    expect(second!.data.reason).toMatch(/^not a JSON document/);
  });

  it.each([
    ['retried in place (ordered)', true],
    ['redelivered later (unordered)', false],
  ])('a transient failure is %s; a permanent or exhausted one is dead-lettered', async (_, ordered) => {
    const bus = await isolatedBus(ordered ? 'failordered' : 'failunordered');
    const publisher = bus.publisher('herald/test', tracer);
    const attempts = new Map<string, number>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'failure-test', maxDeliver: 3, ordered }, async (d) => {
      const name = d.event.data.ref.name;
      attempts.set(name, d.deliveryCount);
      if (name === 'flaky' && d.deliveryCount < 2) throw new HeraldError('HERALD_ERR_TEST_FLAKY', 'try again', { retryable: true });
      if (name === 'broken') throw new HeraldError('HERALD_ERR_TEST_BROKEN', 'this will never work');
      if (name === 'exhausted') throw new HeraldError('HERALD_ERR_TEST_DOWN', 'still down', { retryable: true });
    });
    await publisher.resourceEvent(event('flaky'));
    await publisher.resourceEvent(event('broken'));
    await publisher.resourceEvent(event('exhausted'));
    const letters = await deadLetters(bus, 'dlq-failures', 2);
    await sub.stop();
    expect(attempts.get('flaky')).toBe(2);
    expect(attempts.get('broken')).toBe(1);
    expect(attempts.get('exhausted')).toBe(3);
    const byName = Object.fromEntries(letters.map((l) => [JSON.parse(l.data.original.payload).data.ref.name, l.data]));
    expect(Object.keys(byName).sort()).toEqual(['broken', 'exhausted']);
    expect(byName.broken).toMatchObject({ code: 'HERALD_ERR_TEST_BROKEN', reason: 'permanent failure: this will never work', deliveryCount: 1 });
    expect(byName.exhausted).toMatchObject({ code: 'HERALD_ERR_TEST_DOWN', reason: 'gave up after 3 attempts: still down', deliveryCount: 3 });
  });
});

describe('consuming under pressure', () => {
  it('keeps the order of an object when one of its events fails and is retried', async () => {
    const bus = await isolatedBus('inorder');
    const publisher = bus.publisher('herald/test', tracer);
    const calls: string[] = [];
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'order-test' }, async (d) => {
      calls.push(`${d.event.data.resourceVersion}#${d.deliveryCount}`);
      if (d.event.data.resourceVersion === '1' && d.deliveryCount === 1) throw new HeraldError('HERALD_ERR_TEST', 'not yet', { retryable: true });
    });
    for (const rv of ['1', '2', '3']) await publisher.resourceEvent(event('pod', rv));
    while (calls.length < 4) await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    expect(calls).toEqual(['1#1', '1#2', '2#1', '3#1']);
  });

  it('never redelivers a message that waits or works longer than the ack wait', async () => {
    const bus = await isolatedBus('slow');
    const slow = await Bus.connect({ ...options(), subscriber: { ackWaitMs: 1_000, backoffBaseMs: 50, backoffMaxMs: 200 }, topology: bus.topology.options }, logger);
    opened.push(slow);
    const calls: string[] = [];
    const sub = await slow.subscriber(tracer, logger).subscribe('events', { durable: 'slow-test' }, async (d) => {
      calls.push(`${d.event.data.resourceVersion}#${d.deliveryCount}`);
      await new Promise((r) => setTimeout(r, 400));
    });
    const publisher = slow.publisher('herald/test', tracer);
    for (let i = 1; i <= 6; i++) await publisher.resourceEvent(event('slowpoke', String(i)));
    while (calls.length < 6) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_200));
    await sub.stop();
    expect(calls).toEqual(['1#1', '2#1', '3#1', '4#1', '5#1', '6#1']);
  });

  it('keeps each object\'s events in order across processes sharing a durable, and hands partitions over on stop', async () => {
    const first = await isolatedBus('pinned');
    const second = await isolatedBus('pinned');
    const handled: { by: string; object: string; rv: number }[] = [];
    let inFlight = 0;
    let overlapped = 0;
    const active = new Set<string>();
    const handler = (by: string) => async (d: Delivery<ResourceEventData>) => {
      const object = d.event.data.ref.name;
      // Two handlers of the same object at once would be the bug this guards against.
      if (active.has(object)) overlapped++;
      active.add(object);
      inFlight++;
      await new Promise((r) => setTimeout(r, Math.random() * 8));
      handled.push({ by, object, rv: Number(d.event.data.resourceVersion) });
      active.delete(object);
      inFlight--;
    };
    const subA = await first.subscriber(tracer, logger).subscribe('events', { durable: 'pinned-test' }, handler('a'));
    const subB = await second.subscriber(tracer, logger).subscribe('events', { durable: 'pinned-test' }, handler('b'));
    const publisher = first.publisher('herald/test', tracer);
    const objects = Array.from({ length: 12 }, (_, i) => `o${i}`);
    const rounds = 15;
    for (let rv = 1; rv <= rounds; rv++) await Promise.all(objects.map((o) => publisher.resourceEvent(event(o, String(rv)))));
    const deadline = Date.now() + 30_000;
    while (handled.length < objects.length * rounds && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(handled).toHaveLength(objects.length * rounds);
    expect(overlapped).toBe(0);
    for (const o of objects) {
      expect(handled.filter((h) => h.object === o).map((h) => h.rv)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
    }

    // Once each has seen the other (a membership heartbeat), both take part: the work is shared.
    await new Promise((r) => setTimeout(r, 2_500));
    const shared = handled.length;
    const many = Array.from({ length: 40 }, (_, i) => `s${i}`);
    await Promise.all(many.map((o) => publisher.resourceEvent(event(o, '1'))));
    while (handled.length < shared + many.length && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
    const by = new Set(handled.slice(shared).map((h) => h.by));
    expect([...by].sort()).toEqual(['a', 'b']);
    expect(overlapped).toBe(0);

    // The first process stops: the partitions it held go to the second within a heartbeat, not after the pin TTL.
    await subA.stop();
    const before = handled.length;
    await Promise.all(objects.map((o) => publisher.resourceEvent(event(o, String(rounds + 1)))));
    const handover = Date.now() + 10_000;
    while (handled.length < before + objects.length && Date.now() < handover) await new Promise((r) => setTimeout(r, 50));
    expect(handled.slice(before).map((h) => h.by)).toEqual(objects.map(() => 'b'));
    expect(inFlight).toBe(0);
    await subB.stop();
  });

  it('taking a partition over, handles what the earlier holder left unacknowledged before any later event of the same objects', async () => {
    // A short ack wait: what the earlier holder left comes back after it.
    const quick = { ...options(), subscriber: { ackWaitMs: 1_500, backoffBaseMs: 50, backoffMaxMs: 200 }, topology: { ...smallTopology, subjectPrefix: 'takeover', namePrefix: 'TAKEOVER' } };
    const first = await Bus.connect(quick, logger);
    opened.push(first);
    const stream = first.topology.streamName('events');
    // The durables exist (one per partition), nobody holds them.
    await (await first.subscriber(tracer, logger).subscribe('events', { durable: 'takeover-test' }, async () => undefined)).stop();
    const publisher = first.publisher('herald/test', tracer);
    const objects = Array.from({ length: 6 }, (_, i) => `t${i}`);
    for (let rv = 1; rv <= 3; rv++) await Promise.all(objects.map((o) => publisher.resourceEvent(event(o, String(rv)))));

    // The earlier holder: it is handed every event so far and acknowledges none (it hangs, then its connection is
    // gone); its pin moves on at once, as when it was cut off and another process took its partitions.
    const holder = await connect({ servers: nats.url });
    const js = jetstream(holder);
    let left = 0;
    const partitions = Map.groupBy(objects, (o) => first.topology.partitionOf(`uid-${o}`));
    for (const [p, inPartition] of partitions) {
      const consumer = await js.consumers.get(stream, `takeover-test-p${p}`);
      for await (const m of await consumer.fetch({ max_messages: inPartition.length * 3, expires: 5_000, group: 'herald' })) left += m.info.deliveryCount;
      await first.jsm.consumers.unpin(stream, `takeover-test-p${p}`, 'herald');
    }
    await holder.close();
    expect(left).toBe(objects.length * 3);

    // Later events of the same objects, already there when the next holder starts pulling.
    for (let rv = 4; rv <= 5; rv++) await Promise.all(objects.map((o) => publisher.resourceEvent(event(o, String(rv)))));
    const seen = collector<ResourceEventData>();
    const next = await first.subscriber(tracer, logger).subscribe('events', { durable: 'takeover-test' }, seen.handler);
    await seen.waitFor(objects.length * 5, 20_000);
    await next.stop();
    for (const o of objects) {
      expect(seen.seen.filter((d) => d.event.data.ref.name === o).map((d) => d.event.data.resourceVersion)).toEqual(['1', '2', '3', '4', '5']);
    }
  });

  it('creates its durable consumer again when it is deleted, and goes on', async () => {
    const bus = await isolatedBus('recreate');
    const seen = collector<ResourceEventData>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'recreate-test' }, seen.handler);
    const publisher = bus.publisher('herald/test', tracer);
    await publisher.resourceEvent(event('phoenix', '1'));
    await seen.waitFor(1);
    // Events have a durable per partition (recreate-test-p<N>): delete them all.
    for await (const c of bus.jsm.consumers.list('RECREATE_EVENTS')) if (c.name.startsWith('recreate-test')) await bus.jsm.consumers.delete('RECREATE_EVENTS', c.name);
    await publisher.resourceEvent(event('phoenix', '2'));
    const deadline = Date.now() + 20_000;
    while (!seen.seen.some((d) => d.event.data.resourceVersion === '2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    // The new consumer starts from the stream's beginning: at least once, never a gap.
    expect(seen.seen.map((d) => d.event.data.resourceVersion)).toContain('2');
  });

  it('stops without handling what it had buffered, and leaves it for the next consumer', async () => {
    const bus = await isolatedBus('stopping');
    const publisher = bus.publisher('herald/test', tracer);
    for (let i = 1; i <= 20; i++) await publisher.resourceEvent(event('busy', String(i)));
    const first: string[] = [];
    // The handler holds its message until the test lets it go: what is handled is decided by stop(), not by timing.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'stop-test' }, async (d) => {
      first.push(d.event.data.resourceVersion);
      await held;
    });
    while (first.length < 1) await new Promise((r) => setTimeout(r, 20));
    const handledBeforeStop = first.length;
    const stopping = sub.stop();
    release();
    await stopping;
    // The message in hand is finished; the 19 behind it (buffered or queued) are not handled by this one.
    expect(first).toEqual(['1']);
    const rest = collector<ResourceEventData>();
    const next = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'stop-test' }, rest.handler);
    await rest.waitFor(20 - handledBeforeStop);
    await next.stop();
    expect(first.length).toBe(handledBeforeStop);
    const all = new Set([...first, ...rest.seen.map((d) => d.event.data.resourceVersion)]);
    expect(all.size).toBe(20);
  });

  it('hands back a message waiting for an in-place retry when it stops', async () => {
    // A retry an hour away: a stop that waited for it could never finish within the test.
    const patient = await Bus.connect(
      { ...options(), subscriber: { ackWaitMs: 5_000, backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000 }, topology: { ...smallTopology, subjectPrefix: 'patient', namePrefix: 'PATIENT' } },
      logger,
    );
    opened.push(patient);
    let calls = 0;
    const sub = await patient.subscriber(tracer, logger).subscribe('events', { durable: 'patient-test' }, async () => {
      calls++;
      throw new HeraldError('HERALD_ERR_TEST', 'down for a while', { retryable: true });
    });
    await patient.publisher('herald/test', tracer).resourceEvent(event('waiting'));
    while (calls < 1) await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    // Stopped without trying it again in place.
    expect(calls).toBe(1);
    const again = collector<ResourceEventData>();
    const next = await patient.subscriber(tracer, logger).subscribe('events', { durable: 'patient-test' }, again.handler);
    await again.waitFor(1);
    await next.stop();
    // Back in the stream for the next consumer, which knows it was tried once already.
    expect(again.seen.map((d) => [d.event.data.ref.name, d.deliveryCount])).toEqual([['waiting', 2]]);
  });

  it('survives many stops in a row: nothing dead-lettered, every event handled, in order', async () => {
    const bus = await isolatedBus('cycles');
    const publisher = bus.publisher('herald/test', tracer);
    for (let i = 1; i <= 10; i++) await publisher.resourceEvent(event('restless', String(i)));
    const handled: number[] = [];
    for (let cycle = 0; cycle < 8 && new Set(handled).size < 10; cycle++) {
      const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'cycle-test', maxDeliver: 3 }, async (d) => {
        handled.push(Number(d.event.data.resourceVersion));
        await new Promise((r) => setTimeout(r, 150));
      });
      await new Promise((r) => setTimeout(r, 200));
      await sub.stop();
    }
    const last = collector<ResourceEventData>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'cycle-test' }, last.handler);
    const deadline = Date.now() + 10_000;
    while (new Set([...handled, ...last.seen.map((d) => Number(d.event.data.resourceVersion))]).size < 10 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await sub.stop();
    const all = [...handled, ...last.seen.map((d) => Number(d.event.data.resourceVersion))];
    expect(new Set(all).size).toBe(10);
    // First sight of each event is in publication order.
    expect([...new Set(all)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await bus.jsm.streams.info('CYCLES_DEAD_LETTERS')).state.messages).toBe(0);
  });

  it('does not count hand-backs at stop as attempts', async () => {
    const bus = await isolatedBus('handbacks');
    const publisher = bus.publisher('herald/test', tracer);
    for (let i = 1; i <= 6; i++) await publisher.resourceEvent(event(`n${i}`));
    // Four stops, each with messages taken from the server and handed back unstarted.
    for (let cycle = 0; cycle < 4; cycle++) {
      let started = 0;
      const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'handback-test', ordered: false, maxAckPending: 1 }, async () => {
        started++;
        await new Promise((r) => setTimeout(r, 300));
        throw new HandBackError('stopping');
      });
      while (started === 0) await new Promise((r) => setTimeout(r, 20));
      await sub.stop();
    }
    const attempts: number[] = [];
    const failedOnce = new Set<string>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'handback-test', ordered: false, maxDeliver: 2 }, async (d) => {
      attempts.push(d.deliveryCount);
      if (!failedOnce.has(d.event.id)) {
        failedOnce.add(d.event.id);
        throw new HeraldError('HERALD_ERR_TEST', 'blip', { retryable: true });
      }
    });
    const deadline = Date.now() + 15_000;
    while (attempts.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    expect(attempts.sort()).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    expect((await bus.jsm.streams.info('HANDBACKS_DEAD_LETTERS')).state.messages).toBe(0);
  });

  it('dead-letters a message whose handling never finishes, once it was started maxDeliver times', async () => {
    const bus = await isolatedBus('crashes');
    await bus.publisher('herald/test', tracer).resourceEvent(event('poison'));
    const topology = bus.topology.options;
    // Each round, a "process" takes the message and dies (its connection closes) without an outcome.
    for (let round = 1; round <= 4; round++) {
      const doomed = await Bus.connect({ ...options(), topology, subscriber: { ackWaitMs: 500, backoffBaseMs: 50, backoffMaxMs: 100 } }, logger);
      let taken = false;
      await doomed.subscriber(tracer, logger).subscribe('events', { durable: 'poison-test', maxDeliver: 3 }, () => {
        taken = true;
        return new Promise(() => undefined);
      });
      const deadline = Date.now() + 10_000;
      while (!taken && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(taken).toBe(true);
      await doomed.nc.close();
    }
    let handled = false;
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'poison-test', maxDeliver: 3 }, async () => {
      handled = true;
    });
    const [letter] = await deadLetters(bus, 'dlq-poison', 1);
    await sub.stop();
    expect(handled).toBe(false);
    expect(letter!.data).toMatchObject({ code: 'HERALD_ERR_BUS_UNFINISHED', reason: 'started 3 times without an outcome; the process handling it may have crashed' });
  });

  it('dead-letters a message close to the size limit, cutting its payload to fit', async () => {
    const bus = await isolatedBus('bigdlq');
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'big-test' }, async () => {
      throw new HeraldError('HERALD_ERR_TEST', 'cannot evaluate this');
    });
    // Quotes and newlines grow when escaped into the dead letter's JSON.
    await bus.publisher('herald/test', tracer).resourceEvent({ ...event('bulky'), object: { data: '"\n'.repeat(220_000) } });
    const letters = await deadLetters(bus, 'dlq-big', 1);
    await sub.stop();
    expect(letters[0]!.data.original).toMatchObject({ truncated: true, encoding: 'utf8', sequence: 1 });
    expect(letters[0]!.data.reason).toBe('permanent failure: cannot evaluate this');
  });

  it('refuses at once, as permanent, a message larger than the server accepts', async () => {
    const publisher = bus.publisher('herald/test', tracer);
    const big = { ...event('huge'), object: { data: 'x'.repeat(2 * 1024 * 1024) } };
    const failure = await publisher.resourceEvent(big).catch((err: unknown) => err as HeraldError);
    expect(failure).toMatchObject({ code: 'HERALD_ERR_BUS_PUBLISH_REJECTED', retryable: false });
    expect((failure as Error).message).toMatch(/max_payload/);
  });

  it('refuses a publish once the connection is closed with the SDK\'s bus-closed code, which a source recognises', async () => {
    const closing = await isolatedBus('closing');
    const publisher = closing.publisher('herald/test', tracer);
    await closing.drain();
    const refusal = await publisher.resourceEvent(event('late')).then(() => undefined, (err: unknown) => err);
    expect(refusal).toMatchObject({ code: BUS_CLOSED_ERROR_CODE, retryable: false });
    expect(isBusClosed(refusal)).toBe(true);
    expect(isBusClosed(new HeraldError('HERALD_ERR_BUS_PUBLISH_REJECTED', 'too large'))).toBe(false);
  });

  it('refuses data JSON cannot encode (nested too deep for the stack) for good, naming the message', async () => {
    const publisher = bus.publisher('herald/test', tracer);
    let spec: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) spec = { a: spec };
    const failure = await publisher.resourceEvent({ ...event('deep'), object: { spec } }).catch((err: unknown) => err as HeraldError);
    expect(failure).toMatchObject({ code: 'HERALD_ERR_BUS_PUBLISH_REJECTED', retryable: false });
    expect((failure as Error).message).toBe('cannot encode io.herald.resource.v1 uid-deep:1:MODIFIED as JSON: Maximum call stack size exceeded');
  });

  it('dead-letters what a publisher cannot publish, as a letter of its channel that was never stored and cannot be retried', async () => {
    const b = await isolatedBus('pubdlq');
    const publisher = b.publisher('herald/source/test', tracer);
    const receipt = await publisher.deadLetter('events', event('unfit'), { code: 'HERALD_ERR_TEST_UNFIT', reason: 'too large for the bus' });
    expect(receipt).toMatchObject({ stream: 'PUBDLQ_DEAD_LETTERS', duplicate: false, id: 'dlq:PUBDLQ_EVENTS:uid-unfit:1:MODIFIED:herald/source/test' });
    // The same letter again (a relist) is dropped by the duplicate window.
    expect((await publisher.deadLetter('events', event('unfit'), { code: 'HERALD_ERR_TEST_UNFIT', reason: 'too large for the bus' })).duplicate).toBe(true);
    const [letter] = await deadLetters(b, 'pubdlq-read', 1);
    expect(letter!.data.original.subject).toMatch(/^pubdlq\.events\.\d+$/);
    expect(letter!.subject).toBe(letter!.data.original.subject);
    expect(letter!.data).toMatchObject({
      reason: 'too large for the bus',
      code: 'HERALD_ERR_TEST_UNFIT',
      consumer: 'herald/source/test',
      deliveryCount: 0,
      original: { stream: 'PUBDLQ_EVENTS', sequence: 0, truncated: true, encoding: 'utf8', headers: { 'Nats-Msg-Id': 'uid-unfit:1:MODIFIED' } },
    });
    expect(JSON.parse(letter!.data.original.payload)).toMatchObject({ id: 'uid-unfit:1:MODIFIED', type: 'io.herald.resource.v1', data: event('unfit') });
  });

  it('refuses data that consumers would dead-letter, naming the field', async () => {
    const publisher = bus.publisher('herald/test', tracer);
    const bad = { ...event('odd'), ref: { ...event('odd').ref, uid: '' } };
    await expect(publisher.resourceEvent(bad)).rejects.toThrow('not a valid io.herald.resource.v1: data.ref.uid: Too small');
  });
});

describe('KV store (the state bucket, keys grouped by object)', () => {
  const key = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';

  it('claims a key of an object once, and updates and deletes only at the expected revision', async () => {
    const revision = await bus.state.create('uid-a', key, '1645078598');
    expect(revision).toBeGreaterThan(0);
    expect(await bus.state.create('uid-a', key, 'again')).toBeUndefined();
    expect(await bus.state.get('uid-a', key)).toEqual({ value: '1645078598', revision });
    expect(await bus.state.update('uid-a', key, 'stale', revision! + 100)).toBeUndefined();
    const next = await bus.state.update('uid-a', key, '1645078600', revision!);
    expect(next).toBeGreaterThan(revision!);
    expect(await bus.state.delete('uid-a', key, revision)).toBe(false);
    expect(await bus.state.delete('uid-a', key, next)).toBe(true);
    expect(await bus.state.get('uid-a', key)).toBeUndefined();
    expect(await bus.state.create('uid-a', key, 'fresh')).toBeGreaterThan(next!);
  });

  it('keeps the same key of two objects apart', async () => {
    expect(await bus.state.create('uid-b', key, '1')).toBeGreaterThan(0);
    expect(await bus.state.create('uid-c', key, '2')).toBeGreaterThan(0);
    await bus.state.create('uid-b', 'on-deployed:[0].x:slack:ops', '3');
    expect(await bus.state.entries('uid-b')).toEqual(
      new Map([
        [key, { value: '1', revision: expect.any(Number) }],
        ['on-deployed:[0].x:slack:ops', { value: '3', revision: expect.any(Number) }],
      ]),
    );
    expect([...(await bus.state.entries('uid-c')).keys()]).toEqual([key]);
  });

  it('lists an object\'s entries without deleted keys and without leaving consumers behind', async () => {
    expect(await bus.state.entries('uid-none')).toEqual(new Map());
    const rev = await bus.state.create('uid-d', key, '1');
    await bus.state.create('uid-d', 'other', '2');
    await bus.state.delete('uid-d', key, rev);
    for (let i = 0; i < 20; i++) expect([...(await bus.state.entries('uid-d')).keys()]).toEqual(['other']);
    const info = await bus.jsm.streams.info(`KV_${bus.topology.stateBucket}`);
    expect(info.state.consumer_count).toBe(0);
  });
});

describe('plugin store', () => {
  it('keeps each plugin\'s keys apart from every other plugin\'s and from the state bucket', async () => {
    const slack = bus.pluginStore('slack');
    const teams = bus.pluginStore('teams');
    const revision = (await slack.create('thread:C123:uid-a', '1700000000.000100'))!;
    expect(revision).toBeGreaterThan(0);
    expect(await slack.create('thread:C123:uid-a', 'again')).toBeUndefined();
    expect(await teams.get('thread:C123:uid-a')).toBeUndefined();
    expect(await teams.create('thread:C123:uid-a', 'teams own')).toBeGreaterThan(0);
    expect(await bus.state.get('slack', 'thread:C123:uid-a')).toBeUndefined();
    expect(await slack.update('thread:C123:uid-a', 'stale', revision + 100)).toBeUndefined();
    const next = (await slack.update('thread:C123:uid-a', '1700000000.000200', revision))!;
    expect(await slack.put('other', 'x')).toBeGreaterThan(next);
    expect(await slack.entries()).toEqual(
      new Map([
        ['thread:C123:uid-a', { value: '1700000000.000200', revision: next }],
        ['other', { value: 'x', revision: expect.any(Number) }],
      ]),
    );
    expect(await slack.delete('thread:C123:uid-a', revision)).toBe(false);
    expect(await slack.delete('thread:C123:uid-a', next)).toBe(true);
    expect([...(await slack.entries()).keys()]).toEqual(['other']);
    expect([...(await teams.entries()).entries()]).toEqual([['thread:C123:uid-a', { value: 'teams own', revision: expect.any(Number) }]]);
  });
});

describe('server restart', () => {
  it('stops with messages queued while the server is gone, handling none of them, and they come back afterwards', async () => {
    const bus = await isolatedBus('downstop');
    const publisher = bus.publisher('herald/test', tracer);
    for (let i = 1; i <= 30; i++) await publisher.resourceEvent(event('queued', String(i)));
    const first: string[] = [];
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'downstop-test' }, async (d) => {
      first.push(d.event.data.resourceVersion);
      await new Promise((r) => setTimeout(r, 300));
    });
    while (first.length < 1) await new Promise((r) => setTimeout(r, 20));
    await nats.kill();
    const handledBeforeStop = first.length;
    // Stopping finishes while the server is still gone and hands nothing more to the handler: without a
    // connection a hand-back is skipped (the server redelivers after the ack wait) instead of waiting for one.
    await sub.stop();
    expect(nats.running()).toBe(false);
    expect(first.length).toBe(handledBeforeStop);
    await nats.start();
    const rest = collector<ResourceEventData>();
    const next = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'downstop-test' }, rest.handler);
    // Every one comes back, not only the last: a killed server may restart with its consumer's state from
    // before the kill, so those it had handed out then come back after the ack wait, and the later ones at once.
    const handled = () => new Set([...first, ...rest.seen.map((d) => d.event.data.resourceVersion)]).size;
    const deadline = Date.now() + 30_000;
    while (handled() < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await next.stop();
    expect(handled()).toBe(30);
  });

  it('a publish waits for the server to come back, and the consumer resumes', async () => {
    const seen = collector<ResourceEventData>();
    const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'restart-test', filter: String(bus.topology.partitionOf('uid-survivor')) }, seen.handler);
    const publisher = bus.publisher('herald/test', tracer);
    await publisher.resourceEvent(event('survivor', '1'));
    await seen.waitFor(1);
    await nats.kill();
    const pending = publisher.resourceEvent(event('survivor', '2'));
    await new Promise((r) => setTimeout(r, 1_500));
    await nats.start();
    expect((await pending).duplicate).toBe(false);
    await publisher.resourceEvent(event('survivor', '3'));
    while (!seen.seen.some((d) => d.event.data.resourceVersion === '3')) await seen.waitFor(seen.seen.length + 1, 30_000);
    await sub.stop();
    // A crashed server may forget its latest acknowledgements and deliver a message again (at least
    // once); order is kept and nothing is missing. Consumers stay idempotent through the state claims.
    const versions = seen.seen.map((d) => Number(d.event.data.resourceVersion));
    expect([...new Set(versions)]).toEqual([1, 2, 3]);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });
});
