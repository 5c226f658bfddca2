import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy } from '@nats-io/jetstream';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { Bus } from '@herald/core-bus';
import type { DeadLetterData, DeliveryResultData, NotificationData, Subscription } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectBus, until } from './__fixtures__/delivery-harness.ts';
import { startUndeliverableSweeper } from './undeliverable-sweeper.ts';

const logger = createLogger('undeliverable-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'undeliverable-test', serviceVersion: '0.0.0' });
const tracer = telemetry.tracer('test');
let nats: NatsServer;
let bus: Bus;
const letters: DeadLetterData[] = [];
const results: DeliveryResultData[] = [];
const watches: Subscription[] = [];
/** The sweeper's clock runs `ahead` ms ahead of the bus's (publish times are the bus's). */
let ahead = 0;
let sweeper: Subscription;

function notification(name: string, serviceType: string): NotificationData {
  return {
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 'ready',
    destination: { serviceType, service: serviceType, recipient: 'alerts' },
    stateKey: `on-ready:[0].abc:${serviceType}:alerts`,
    idempotencyKey: `key-${name}`,
    claimRevision: 3,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
    rendered: { message: `${name} is ready` },
  };
}

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus(nats.url, 'sweep', logger);
  const subscriber = bus.subscriber(tracer, logger);
  watches.push(await subscriber.subscribe('deadLetters', { durable: 'watch-letters' }, async (d) => void letters.push(d.event.data)));
  watches.push(await subscriber.subscribe('results', { durable: 'watch-results' }, async (d) => void results.push(d.event.data)));
  sweeper = await startUndeliverableSweeper({
    subscriber,
    publisher: bus.publisher('herald/core/delivery', tracer),
    logger,
    deliveredTypes: new Set(['webhook']),
    typesOnBus: () => bus.notificationTypes(),
    scanMs: 50,
    graceMs: 60_000,
    clock: { now: () => new Date(Date.now() + ahead) },
  });
});
afterAll(async () => {
  await sweeper?.stop();
  for (const w of watches) await w.stop();
  await bus?.drain();
  await nats?.stop();
});

describe('notifications no listed sink delivers', () => {
  it('break 9: a notification for a service type no sink delivers is dead-lettered after the grace period, with the reason, its claim given back; delivered types are left alone', async () => {
    const publisher = bus.publisher('herald/evaluator', tracer);
    await publisher.notification(notification('web-1', 'webhook'));
    const receipt = await publisher.notification(notification('web-2', 'slack'));
    // Within the grace period nothing happens (a sink may be starting): the sweeper has seen both and waits.
    const consumer = async () => (await bus.jsm.consumers.info('SWEEP_NOTIFICATIONS', 'herald-undeliverable-slack').catch(() => undefined))?.delivered.stream_seq ?? 0;
    for (const deadline = Date.now() + 30_000; (await consumer()) < receipt.seq; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error('the sweeper never read the notifications');
    }
    expect(letters).toEqual([]);

    // Past the grace period (the notification comes back when its wait is over; the clock moves meanwhile).
    ahead = 60_000;
    await until('the dead letter', () => letters.length === 1, 30_000);
    const [letter] = letters;
    expect(letter!.code).toBe('HERALD_ERR_SINK_NONE_FOR_TYPE');
    expect(letter!.reason).toMatch(/^permanent failure: no sink delivers service type "slack" \(the listed sinks deliver: webhook\); trigger on-ready to service slack for Pod default\/web-2 waited \d+ s\. Add the sink to herald.yaml's plugins, then `herald dlq retry` it$/);
    // The original is kept whole, with its sequence: `herald dlq retry` can put it back once a sink is loaded.
    expect(letter!.original).toMatchObject({ stream: 'SWEEP_NOTIFICATIONS', sequence: receipt.seq });
    await until('the failed result', () => results.length === 1);
    expect(results[0]).toMatchObject({ stateKey: 'on-ready:[0].abc:slack:alerts', claimRevision: 3, succeeded: false, error: { code: 'HERALD_ERR_SINK_NONE_FOR_TYPE', retryable: false } });
    expect(letters.map((l) => l.original.subject)).toEqual([expect.stringContaining('.slack.')]);
  });

  it('starts even when the stream cannot be looked at (the server restarting), and catches the types at a later look', async () => {
    // The types come from the stub alone: nothing is published, so the other tests' sweeper sees none of it.
    let looks = 0;
    const second = await startUndeliverableSweeper({
      subscriber: bus.subscriber(tracer, logger),
      publisher: bus.publisher('herald/core/delivery', tracer),
      logger,
      deliveredTypes: new Set(['webhook']),
      typesOnBus: async () => {
        if (++looks === 1) throw new Error('timeout');
        return ['pushover'];
      },
      durable: 'second-sweeper',
      scanMs: 50,
      graceMs: 60_000,
      clock: { now: () => new Date(Date.now() + ahead) },
    });
    try {
      const consumer = () => bus.jsm.consumers.info('SWEEP_NOTIFICATIONS', 'second-sweeper-pushover').catch(() => undefined);
      for (const deadline = Date.now() + 30_000; !(await consumer()); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) throw new Error('the sweeper never made a consumer for the type');
      }
      expect(looks).toBeGreaterThan(1);
    } finally {
      await second.stop();
    }
  });

  it('among many notifications of a delivered type, catches each of the types no sink delivers (appearing while it runs) and never reads the delivered type', async () => {
    // Past the grace period from the start (the clock is still ahead): what it catches is dead-lettered at once.
    const publisher = bus.publisher('herald/evaluator', tracer);
    const resultsStored = async () => (await bus.jsm.streams.info('SWEEP_RESULTS')).state.messages;
    const [lettersBefore, resultsBefore, storedBefore] = [letters.length, results.length, await resultsStored()];
    let last = 0;
    for (let i = 0; i < 30; i++) {
      last = (await publisher.notification(notification(`many-${i}`, 'webhook'))).seq;
      if (i === 10) last = (await publisher.notification(notification('odd-1', 'teams'))).seq;
      if (i === 20) last = (await publisher.notification(notification('odd-2', 'email'))).seq;
    }
    await until('both dead letters', () => letters.length === lettersBefore + 2, 30_000);
    expect(letters.slice(lettersBefore).map((l) => l.original.subject).sort()).toEqual([expect.stringContaining('.email.'), expect.stringContaining('.teams.')]);
    // A consumer per undelivered type, filtered on it; none reads the delivered type's.
    const consumers: { name: string; filter: string | undefined; delivered: number }[] = [];
    for await (const c of bus.jsm.consumers.list('SWEEP_NOTIFICATIONS')) consumers.push({ name: c.name, filter: c.config.filter_subject, delivered: c.delivered.consumer_seq });
    expect(consumers.filter((c) => c.name.startsWith('herald-undeliverable')).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'herald-undeliverable-email', filter: 'sweep.notifications.email.>', delivered: 1 },
      { name: 'herald-undeliverable-slack', filter: 'sweep.notifications.slack.>', delivered: expect.any(Number) },
      { name: 'herald-undeliverable-teams', filter: 'sweep.notifications.teams.>', delivered: 1 },
    ]);
    expect(last).toBeGreaterThan(30);
    expect(await resultsStored()).toBe(storedBefore + 2);
    await until('the failed results', () => results.length === resultsBefore + 2);
    expect(results.slice(resultsBefore).map((r) => `${r.ref.name} ${r.succeeded}`).sort()).toEqual(['odd-1 false', 'odd-2 false']);
  });

  it('an earlier Herald’s consumer of every notification is removed once, by name', async () => {
    await bus.jsm.consumers.add('SWEEP_NOTIFICATIONS', { durable_name: 'herald-undeliverable', ack_policy: AckPolicy.Explicit, filter_subject: 'sweep.notifications.>' });
    expect(await bus.retireConsumer('notifications', 'herald-undeliverable')).toBe(true);
    expect(await bus.retireConsumer('notifications', 'herald-undeliverable')).toBe(false);
    const names: string[] = [];
    for await (const c of bus.jsm.consumers.list('SWEEP_NOTIFICATIONS')) names.push(c.name);
    expect(names).not.toContain('herald-undeliverable');
  });
});
