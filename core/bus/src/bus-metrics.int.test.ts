import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry, startTelemetryServer, type Telemetry, type TelemetryServer } from '@herald/core-telemetry';
import type { NotificationData } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Bus } from './bus.ts';
import { defaultTopology } from './topology.ts';

// What /metrics tells about the bus: the backlog of each durable this process consumes through, the
// dead-letter stream's depth, and the partitions of the events this replica pulls on.

const logger = createLogger('bus-metrics-test', { level: 'silent' });
const MiB = 1024 * 1024;
let telemetry: Telemetry;
let server: TelemetryServer;
let nats: NatsServer;
let bus: Bus;

function notification(n: number): NotificationData {
  return {
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 'ready',
    destination: { serviceType: 'webhook', service: 'hook', recipient: '' },
    stateKey: `key-${n}`,
    idempotencyKey: `idem-${n}`,
    claimRevision: 1,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: `p${n}`, uid: `uid-${n}` },
    rendered: { message: 'hi' },
  };
}

/** The value of one series of /metrics, by name and labels it carries; undefined when absent. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = body
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'bus-metrics-test', serviceVersion: '0.0.0', env: {}, prometheus: true });
  server = await startTelemetryServer({ port: 0, host: '127.0.0.1', metricsHandler: telemetry.metricsHandler, readiness: () => [] });
  nats = await startNats();
  const topology = {
    ...defaultTopology,
    partitions: 4,
    subjectPrefix: 'bm',
    namePrefix: 'BM',
    streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 32 * MiB }])) as typeof defaultTopology.streams,
    state: { maxBytes: 16 * MiB, replicas: 1 },
  };
  bus = await Bus.connect({ servers: [nats.url], name: 'bus-metrics-test', topology, subscriber: { ackWaitMs: 5_000, backoffBaseMs: 50, backoffMaxMs: 200 } }, logger);
});
afterAll(async () => {
  await bus?.drain();
  await nats?.stop();
  await server?.close();
  await telemetry?.shutdown();
});

describe('bus metrics', () => {
  it('tells the backlog of a durable: delivered and unacknowledged, and not delivered yet', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const sub = await bus.subscriber(telemetry.tracer('test'), logger).subscribe('notifications', { durable: 'bm-sink', maxAckPending: 1 }, () => held);
    const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
    for (let n = 1; n <= 3; n++) await publisher.notification(notification(n));
    const labels = { stream: 'BM_NOTIFICATIONS', durable: 'bm-sink' };
    await until('1 ack pending and 2 pending', async () => (await sample('herald_bus_consumer_ack_pending', labels)) === 1 && (await sample('herald_bus_consumer_pending', labels)) === 2);
    release();
    await until('the backlog worked off', async () => (await sample('herald_bus_consumer_ack_pending', labels)) === 0 && (await sample('herald_bus_consumer_pending', labels)) === 0);
    await sub.stop();
  });

  it('tells the partitions of the events this replica pulls on, and the dead-letter depth', async () => {
    const sub = await bus.subscriber(telemetry.tracer('test'), logger).subscribe('events', { durable: 'bm-evaluator' }, async () => undefined);
    expect(await sample('herald_bus_partitions_owned', { durable: 'bm-evaluator' })).toBe(4);
    expect(await sample('herald_bus_consumer_pending', { stream: 'BM_EVENTS', durable: 'bm-evaluator-p3' })).toBe(0);
    expect(await sample('herald_bus_dead_letters', { stream: 'BM_DEAD_LETTERS' })).toBe(0);
    await bus.publisher('herald/test', telemetry.tracer('test')).deadLetter('notifications', notification(9), { code: 'HERALD_ERR_TEST', reason: 'a test' });
    expect(await sample('herald_bus_dead_letters', { stream: 'BM_DEAD_LETTERS' })).toBe(1);
    await sub.stop();
  });
});
