import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { DeadLetterData, DeliveryResultData, NotificationData } from '@herald/plugin-sdk';
import { startNats, testNatsLimits, type NatsServer } from '@herald/test-harness';
import { calls, delivered } from './__fixtures__/flaky-sink.ts';
import { slowSent } from './__fixtures__/slow-sink.ts';
import { sentByTwoTypes } from './__fixtures__/two-types-sink.ts';
import { engineConfigSchema } from './config/engine-config.schema.ts';
import { Kernel } from './kernel.ts';

/** A notification config with a service for each test sink. */
const notifications = { files: { configMap: fileURLToPath(new URL('./__fixtures__/notifications-cm.yaml', import.meta.url)) } };

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const logger = createLogger('sink-runner-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'sink-runner-test', serviceVersion: '0.0.0' });
let nats: NatsServer;
let kernel: Kernel;

function notification(recipient: string, serviceType = 'flaky'): NotificationData {
  return {
    trigger: 'on-pod-ready',
    conditionKey: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go',
    template: 'pod-ready',
    destination: { serviceType, service: serviceType, recipient },
    stateKey: `on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:flaky:${recipient}`,
    idempotencyKey: `key-${recipient}`,
    claimRevision: 1,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-web-1' },
    rendered: { message: `for ${recipient}` },
  };
}

async function collect<T>(channel: 'results' | 'deadLetters', durable: string, count: number): Promise<T[]> {
  const seen: T[] = [];
  const sub = await kernel.bus.subscriber(telemetry.tracer('test'), logger).subscribe(channel, { durable }, async (d) => {
    seen.push(d.event.data as T);
  });
  const deadline = Date.now() + 30_000;
  while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await sub.stop();
  return seen;
}

beforeAll(async () => {
  nats = await startNats();
  const config = engineConfigSchema.parse({
    notifications,
    // A backoff far above the sink's Retry-After (100 ms), to see which one the redelivery follows.
    nats: { ...testNatsLimits, servers: [nats.url], consume: { backoffBase: '1500ms', backoffMax: '1500ms' } },
    plugins: [{ name: './flaky-sink.ts' }],
    sink: { maxDeliver: 3 },
  });
  kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
});
afterAll(async () => {
  await kernel?.stop();
  await nats?.stop();
});

describe('sink runner', () => {
  it('delivers notifications of the sink’s service type, retries transient failures and dead-letters the rest', async () => {
    const publisher = kernel.bus.publisher('herald/test', telemetry.tracer('test'));
    for (const recipient of ['ok', 'once', 'never', 'crash']) await publisher.notification(notification(recipient));

    const results = await collect<DeliveryResultData>('results', 'results-watch', 4);
    const byRecipient = Object.fromEntries(results.map((r) => [r.destination.recipient, r]));
    expect(byRecipient.ok).toMatchObject({ succeeded: true, attempts: 1, idempotencyKey: 'key-ok' });
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
    const [first, second] = calls.filter((c) => c.recipient === 'once');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);
    expect(second!.at - first!.at).toBeLessThan(1_000);

    const letters = await collect<DeadLetterData>('deadLetters', 'dlq-watch', 2);
    expect(letters.map((l) => [JSON.parse(l.original.payload).data.destination.recipient, l.consumer, l.deliveryCount]).sort()).toEqual([
      ['crash', 'herald-sink-flaky', 3],
      ['never', 'herald-sink-flaky', 1],
    ]);
  });
});

describe('sink runner when results cannot be published', () => {
  it('never sends again a notification the remote side accepted', async () => {
    const config = engineConfigSchema.parse({
    notifications,
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'noresults', streamPrefix: 'NORESULTS', publish: { timeout: '500ms', attemptTimeout: '200ms' } },
      plugins: [{ name: './flaky-sink.ts' }],
    });
    const k = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      await k.bus.jsm.streams.delete('NORESULTS_RESULTS');
      await k.bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('accepted-once'));
      const deadline = Date.now() + 10_000;
      while (!delivered.some((d) => d.recipient === 'accepted-once') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Long enough for a failed result publish (500 ms) to have caused a redelivery, were it to.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(delivered.filter((d) => d.recipient === 'accepted-once').map((d) => d.attempt)).toEqual([1]);
      const info = await k.bus.jsm.consumers.info('NORESULTS_NOTIFICATIONS', 'herald-sink-flaky');
      expect(info.num_ack_pending + info.num_pending).toBe(0);
    } finally {
      await k.stop();
    }
  });
});

describe('sink runner at shutdown and failed starts', () => {
  it('hands a send interrupted by shutdown back to the bus: no dead letter, no failed result, sent by the next process', async () => {
    const config = engineConfigSchema.parse({
    notifications,
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'shutdown', streamPrefix: 'SHUTDOWN' },
      plugins: [{ name: './slow-sink.ts', options: { delayMs: 1_500 } }],
      sink: { maxDeliver: 1 },
    });
    const first = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    await first.bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('interrupted', 'slow'));
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();
    expect(slowSent).toEqual([]);
    const second = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      const deadline = Date.now() + 15_000;
      while (!slowSent.includes('interrupted') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(slowSent).toEqual(['interrupted']);
      const dlq = await second.bus.jsm.streams.info('SHUTDOWN_DEAD_LETTERS');
      expect(dlq.state.messages).toBe(0);
      const results = await second.bus.jsm.streams.info('SHUTDOWN_RESULTS');
      expect(results.state.messages).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('stops the service types a sink already subscribed when a later one fails', async () => {
    const config = engineConfigSchema.parse({
    notifications,
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'twotypes', streamPrefix: 'TWOTYPES' },
      plugins: [{ name: './two-types-sink.ts', onBootFailure: 'continue' }],
    });
    const k = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      expect(k.status()[0]).toMatchObject({ id: 'two-types', state: 'failed' });
      await k.bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('nobody', 'good'));
      await new Promise((r) => setTimeout(r, 500));
      expect(sentByTwoTypes).toEqual([]);
    } finally {
      await k.stop();
    }
    expect(k.bus.nc.isClosed()).toBe(true);
  });
});
