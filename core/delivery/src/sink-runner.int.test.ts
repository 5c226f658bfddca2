import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { Bus } from '@herald/core-bus';
import type { DeadLetterData, DeliveryResultData, NotificationData } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';
import flaky, { calls, delivered } from './__fixtures__/flaky-sink.ts';
import slow, { slowSent } from './__fixtures__/slow-sink.ts';
import twoTypes, { sentByTwoTypes } from './__fixtures__/two-types-sink.ts';

const logger = createLogger('sink-runner-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'sink-runner-test', serviceVersion: '0.0.0' });
const service = (type: string) => ({ type, name: type, config: {} });
let nats: NatsServer;
let bus: Bus;
let sink: RunningSink;

function notification(recipient: string, serviceType = 'flaky'): NotificationData {
  return {
    trigger: 'on-pod-ready',
    conditionKey: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go',
    template: 'pod-ready',
    destination: { serviceType, service: serviceType, recipient },
    stateKey: `on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:flaky:${recipient}`,
    idempotencyKey: `key-${recipient}`,
    claimRevision: 1,
    claim: { at: 1_700_000_000, rv: '42' },
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-web-1' },
    rendered: { message: `for ${recipient}` },
  };
}

async function collect<T>(on: Bus, channel: 'results' | 'deadLetters', durable: string, count: number): Promise<T[]> {
  const seen: T[] = [];
  const sub = await on.subscriber(telemetry.tracer('test'), logger).subscribe(channel, { durable }, async (d) => {
    seen.push(d.event.data as T);
  });
  await until(`${count} ${channel}`, () => seen.length >= count, 30_000).catch(() => undefined);
  await sub.stop();
  return seen;
}

beforeAll(async () => {
  nats = await startNats();
  // The runner's backoff (10 ms) and the bus's (1.5 s) differ from the sink's Retry-After (100 ms): the redelivery follows the Retry-After.
  bus = await connectBus(nats.url, 'runner', logger, { subscriber: { ackWaitMs: 30_000, backoffBaseMs: 1_500, backoffMaxMs: 1_500 } });
  sink = await runSink({ bus, plugin: flaky, services: [service('flaky')], settings: sinkSettings({ maxDeliver: 3, backoff: { base: 10, max: 10, jitter: 'none' } }), logger, telemetry });
});
afterAll(async () => {
  await sink?.stop();
  await bus?.drain();
  await nats?.stop();
});

describe('sink runner', () => {
  it('delivers notifications of the sink’s service type, retries transient failures and dead-letters the rest', async () => {
    const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
    for (const recipient of ['ok', 'once', 'never', 'crash']) await publisher.notification(notification(recipient));

    const results = await collect<DeliveryResultData>(bus, 'results', 'results-watch', 4);
    const byRecipient = Object.fromEntries(results.map((r) => [r.destination.recipient, r]));
    // The claim travels on, for the state role to settle it without reading it.
    expect(byRecipient.ok).toMatchObject({ succeeded: true, attempts: 1, idempotencyKey: 'key-ok', claim: { at: 1_700_000_000, rv: '42' } });
    expect(byRecipient.once).toMatchObject({ succeeded: true, attempts: 2 });
    expect(byRecipient.never).toMatchObject({
      succeeded: false,
      attempts: 1,
      error: { code: 'HERALD_ERR_DELIVERY_PERMANENT', message: 'plugin "flaky": send to flaky failed: 404 no such channel', retryable: false },
    });
    expect(byRecipient.crash).toMatchObject({ succeeded: false, attempts: 3, error: { code: 'HERALD_ERR_PLUGIN_UNEXPECTED', retryable: true } });
    expect(byRecipient.crash!.error!.message).toContain("plugin \"flaky\": send to flaky failed: Cannot read properties of undefined (reading 'channel')");

    expect(delivered.map((d) => [d.recipient, d.attempt])).toEqual([
      ['ok', 1],
      ['once', 2],
    ]);
    expect(delivered[0]!.body).toEqual({ message: 'for ok' });
    // The retry waited for the sink's Retry-After (100 ms), not the runner's 10 ms backoff.
    const [first, second] = calls.filter((c) => c.recipient === 'once');
    expect([first?.attempt, second?.attempt]).toEqual([1, 2]);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);

    const letters = await collect<DeadLetterData>(bus, 'deadLetters', 'dlq-watch', 2);
    expect(letters.map((l) => [JSON.parse(l.original.payload).data.destination.recipient, l.consumer, l.deliveryCount]).sort()).toEqual([
      ['crash', 'herald-sink-flaky', 3],
      ['never', 'herald-sink-flaky', 1],
    ]);
  });
});

describe('sink runner when results cannot be published', () => {
  it('never sends again a notification the remote side accepted, and publishes its result once the results stream is back', async () => {
    // The publisher gives up on a result quickly; the runner publishes it again while the bus has no stream
    // for it (no responders), holding the notification, never sending it again.
    const noResults = await connectBus(nats.url, 'noresults', logger, { publisher: { publishTimeoutMs: 500, attemptTimeoutMs: 200, maxInflight: 16 } });
    const running = await runSink({ bus: noResults, plugin: flaky, services: [service('flaky')], logger, telemetry });
    try {
      await noResults.jsm.streams.delete('NORESULTS_RESULTS');
      await noResults.publisher('herald/test', telemetry.tracer('test')).notification(notification('accepted-once'));
      await until('the delivery', () => delivered.some((d) => d.recipient === 'accepted-once'), 10_000);
      // Long enough for several failed result publishes (500 ms each) to have caused a redelivery, were they to.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(delivered.filter((d) => d.recipient === 'accepted-once').map((d) => d.attempt)).toEqual([1]);
      // Another Herald process starting (or the state role's consumer coming back) creates the stream again.
      const restored = await connectBus(nats.url, 'noresults', logger);
      try {
        const results = await collect<DeliveryResultData>(restored, 'results', 'results-back', 1);
        expect(results.map((r) => [r.destination.recipient, r.succeeded])).toEqual([['accepted-once', true]]);
      } finally {
        await restored.drain();
      }
      // Acknowledged once its result went out.
      for (let tries = 0; ; tries++) {
        const info = await noResults.jsm.consumers.info('NORESULTS_NOTIFICATIONS', 'herald-sink-flaky');
        if (info.num_ack_pending + info.num_pending === 0) break;
        if (tries >= 100) throw new Error(`the notification is still unacknowledged: ${info.num_ack_pending} pending`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(delivered.filter((d) => d.recipient === 'accepted-once').map((d) => d.attempt)).toEqual([1]);
    } finally {
      await running.stop();
      await noResults.drain();
    }
  });
});

describe('break 4: stream limits drop undelivered notifications silently', () => {
  it('a result the full results stream refuses is published once there is room, and the notification is sent once', async () => {
    const full = await connectBus(nats.url, 'fullresults', logger, { publisher: { publishTimeoutMs: 500, attemptTimeoutMs: 200, maxInflight: 16 }, resultsMaxBytes: 64 * 1024 });
    const tracer = telemetry.tracer('test');
    // A reader of results that has read nothing yet: nothing in the stream may be purged to make room.
    await (await full.subscriber(tracer, logger).subscribe('results', { durable: 'results-reader' }, async () => undefined)).stop();
    const publisher = full.publisher('herald/test', tracer);
    const filler = (i: number): DeliveryResultData => ({
      idempotencyKey: `filler-${i}`,
      claimRevision: 1,
      stateKey: `filler:${i}`,
      trigger: 'filler',
      destination: { serviceType: 'flaky', service: 'flaky', recipient: 'filler' },
      ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'filler', uid: 'uid-filler' },
      succeeded: false,
      attempts: 1,
      error: { code: 'X', message: 'x'.repeat(2_000), retryable: false },
    });
    let fillers = 0;
    for (let refused = false; !refused && fillers < 200; ) {
      refused = await publisher.deliveryResult(filler(fillers)).then(() => false, () => true);
      if (!refused) fillers++;
    }
    // Full: it refused a result rather than drop an older one nobody has read.
    expect(fillers).toBeLessThan(200);
    expect((await full.jsm.streams.info('FULLRESULTS_RESULTS')).state.first_seq).toBe(1);
    const running = await runSink({ bus: full, plugin: flaky, services: [service('flaky')], logger, telemetry });
    try {
      await publisher.notification(notification('results-full'));
      await until('the delivery', () => delivered.some((d) => d.recipient === 'results-full'), 10_000);
      // The reader catches up; its acknowledged results make room, and the waiting result goes out.
      const results = await collect<DeliveryResultData>(full, 'results', 'results-reader', fillers + 1);
      expect(results.filter((r) => r.destination.recipient === 'results-full').map((r) => r.succeeded)).toEqual([true]);
      expect(delivered.filter((d) => d.recipient === 'results-full').map((d) => d.attempt)).toEqual([1]);
    } finally {
      await running.stop();
      await full.drain();
    }
  });
});

describe('sink runner at shutdown and failed starts', () => {
  it('hands a send interrupted by shutdown back to the bus: no dead letter, no failed result, sent by the next process', async () => {
    const settings = sinkSettings({ maxDeliver: 1 });
    const firstBus = await connectBus(nats.url, 'shutdown', logger);
    const first = await runSink({ bus: firstBus, plugin: slow, pluginOptions: { delayMs: 1_500 }, services: [service('slow')], settings, logger, telemetry });
    await firstBus.publisher('herald/test', telemetry.tracer('test')).notification(notification('interrupted', 'slow'));
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();
    await firstBus.drain();
    expect(slowSent).toEqual([]);
    const secondBus = await connectBus(nats.url, 'shutdown', logger);
    const second = await runSink({ bus: secondBus, plugin: slow, pluginOptions: { delayMs: 1_500 }, services: [service('slow')], settings, logger, telemetry });
    try {
      await until('the second process’s send', () => slowSent.includes('interrupted'), 15_000);
      expect(slowSent).toEqual(['interrupted']);
      const dlq = await secondBus.jsm.streams.info('SHUTDOWN_DEAD_LETTERS');
      expect(dlq.state.messages).toBe(0);
      const results = await collect<DeliveryResultData>(secondBus, 'results', 'shutdown-results', 1);
      expect(results.map((r) => [r.destination.recipient, r.succeeded])).toEqual([['interrupted', true]]);
    } finally {
      await second.stop();
      await secondBus.drain();
    }
  });

  it('hands a notification waiting for a busy destination’s slot back at shutdown, with the one being sent: both sent once by the next process', async () => {
    const settings = sinkSettings({ maxDeliver: 1, concurrency: { perDestination: 1 } });
    const queued = (n: number) => ({ ...notification('one-slot', 'slow'), stateKey: `one-slot:${n}`, idempotencyKey: `one-slot-${n}` });
    const firstBus = await connectBus(nats.url, 'waiting', logger);
    const first = await runSink({ bus: firstBus, plugin: slow, pluginOptions: { delayMs: 1_500 }, services: [service('slow')], settings, logger, telemetry });
    const publisher = firstBus.publisher('herald/test', telemetry.tracer('test'));
    await publisher.notification(queued(1));
    await publisher.notification(queued(2));
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();
    await firstBus.drain();
    expect(slowSent.filter((r) => r === 'one-slot')).toEqual([]);
    const secondBus = await connectBus(nats.url, 'waiting', logger);
    const second = await runSink({ bus: secondBus, plugin: slow, pluginOptions: { delayMs: 10 }, services: [service('slow')], settings, logger, telemetry });
    try {
      const results = await collect<DeliveryResultData>(secondBus, 'results', 'waiting-results', 2);
      expect(results.map((r) => [r.stateKey, r.succeeded, r.attempts]).sort()).toEqual([
        ['one-slot:1', true, 1],
        ['one-slot:2', true, 1],
      ]);
      expect(slowSent.filter((r) => r === 'one-slot')).toEqual(['one-slot', 'one-slot']);
      const dlq = await secondBus.jsm.streams.info('WAITING_DEAD_LETTERS');
      expect(dlq.state.messages).toBe(0);
    } finally {
      await second.stop();
      await secondBus.drain();
    }
  });

  it('stops the service types a sink already subscribed when a later one fails', async () => {
    const twoBus = await connectBus(nats.url, 'twotypes', logger);
    try {
      await expect(runSink({ bus: twoBus, plugin: twoTypes, services: [service('good')], logger, telemetry })).rejects.toThrow();
      await twoBus.publisher('herald/test', telemetry.tracer('test')).notification(notification('nobody', 'good'));
      await new Promise((r) => setTimeout(r, 500));
      expect(sentByTwoTypes).toEqual([]);
      // It waits on the bus: the consumer of the type that did subscribe was stopped, not left consuming.
      const info = await twoBus.jsm.consumers.info('TWOTYPES_NOTIFICATIONS', 'herald-sink-good');
      expect([info.num_pending, info.num_ack_pending]).toEqual([1, 0]);
    } finally {
      await twoBus.drain();
    }
  });
});

describe('sink runner and the secrets of a service', () => {
  it('break 6c: masks every value its service took from the Secret in the failed result and the dead letter, whatever the sink put in its error', async () => {
    const masking = await connectBus(nats.url, 'masking', logger);
    // "channel" came from the Secret: a short, letters-only value no heuristic would take for a secret.
    const running = await runSink({ bus: masking, plugin: flaky, services: [{ ...service('flaky'), secrets: ['channel'] }], logger, telemetry });
    try {
      await masking.publisher('herald/test', telemetry.tracer('test')).notification(notification('never'));
      const [result] = await collect<DeliveryResultData>(masking, 'results', 'results-masked', 1);
      expect(result!.error!.message).toBe('plugin "flaky": send to flaky failed: 404 no such ***');
      const [letter] = await collect<DeadLetterData>(masking, 'deadLetters', 'dlq-masked', 1);
      expect(letter!.reason).toContain('404 no such ***');
      expect(JSON.stringify([result, letter!.reason])).not.toContain('channel');
    } finally {
      await running.stop();
      await masking.drain();
    }
  });
});
