import type { Meter } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { DeliveryResultData, NotificationData, Subscription } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';
import flaky, { calls } from './__fixtures__/flaky-sink.ts';

// What the sink runner tells Prometheus: delivery latency from the change the source observed, sends in
// flight, and the breaker state of each destination.

const logger = createLogger('delivery-metrics-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'delivery-metrics-test', serviceVersion: '0.0.0' });

const latencies: number[] = [];
let inFlight = 0;
let mostInFlight = 0;
let observeBreakers: ((result: { observe(value: number, attributes: Record<string, string>): void }) => void) | undefined;
const ignored = { add: () => undefined, record: () => undefined };
const meter = {
  createCounter: () => ignored,
  createHistogram: (name: string) => (name === 'herald.delivery.latency.seconds' ? { record: (v: number) => void latencies.push(v) } : ignored),
  createUpDownCounter: (name: string) =>
    name === 'herald.delivery.in_flight'
      ? {
          add: (n: number) => {
            inFlight += n;
            mostInFlight = Math.max(mostInFlight, inFlight);
          },
        }
      : ignored,
  createObservableGauge: (name: string) => ({
    addCallback: (cb: typeof observeBreakers) => void (name === 'herald.delivery.circuit_breaker.state' && (observeBreakers = cb)),
    removeCallback: () => undefined,
  }),
} as unknown as Meter;

function breakerStates(): Record<string, number> {
  const seen: Record<string, number> = {};
  observeBreakers?.({ observe: (value, attributes) => void (seen[`${attributes['herald.service_type']} ${attributes.destination}`] = value) });
  return seen;
}

let nats: NatsServer;
let bus: Bus;
let sink: RunningSink;
const results: DeliveryResultData[] = [];
let watch: Subscription | undefined;

function notification(recipient: string, observedAt?: string): NotificationData {
  return {
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 'ready',
    destination: { serviceType: 'flaky', service: 'flaky', recipient },
    stateKey: `on-ready:[0].abc:flaky:${recipient}`,
    idempotencyKey: `key-${recipient}`,
    claimRevision: 1,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: recipient, uid: `uid-${recipient}` },
    rendered: { message: recipient },
    ...(observedAt ? { observedAt } : {}),
  };
}

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus(nats.url, 'deliverymetrics', logger);
  sink = await runSink({
    bus,
    plugin: flaky,
    services: [{ type: 'flaky', name: 'flaky', config: {} }],
    // One failure opens a destination's breaker, for longer than the test runs.
    settings: sinkSettings({ maxDeliver: 3, backoff: { base: 10, max: 10, jitter: 'none' }, circuitBreaker: { failures: 1, coolDown: 600_000, maxCoolDown: 600_000 } }),
    logger,
    telemetry,
    meter,
  });
  watch = await bus.subscriber(telemetry.tracer('test'), logger).subscribe('results', { durable: 'test-results' }, async (d) => void results.push(d.event.data));
});
afterAll(async () => {
  await watch?.stop();
  await sink?.stop();
  await bus?.drain();
  await nats?.stop();
});

describe('delivery metrics', () => {
  it('measures delivery latency from when the source observed the change, else from the notification’s publish', async () => {
    const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await publisher.notification(notification('ok', anHourAgo));
    await until('the first result', () => results.length === 1);
    await publisher.notification({ ...notification('ok'), stateKey: 'second', idempotencyKey: 'key-second' });
    await until('the second result', () => results.length === 2);
    expect(latencies).toHaveLength(2);
    expect(latencies[0]).toBeGreaterThanOrEqual(3_600);
    expect(latencies[1]).toBeLessThan(60);
    // Each send counted in flight while it ran, and out once it ended.
    expect(mostInFlight).toBe(1);
    expect(inFlight).toBe(0);
  });

  it('tells the breaker state of each destination: open once its send failed, closed where sends succeed', async () => {
    await bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('crash'));
    await until('the crash attempted', () => calls.some((c) => c.recipient === 'crash'));
    await until('the breaker open', () => breakerStates()['flaky flaky/crash'] === 2);
    expect(breakerStates()).toEqual({ 'flaky flaky/crash': 2, 'flaky flaky/ok': 0 });
    expect(inFlight).toBe(0);
  });
});
