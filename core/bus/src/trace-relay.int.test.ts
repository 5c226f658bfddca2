import { headers as natsHeaders } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { EventTypes, type Delivery, type NotificationData, type ResourceEventData } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Bus } from './bus.ts';
import { encodeEnvelope } from './envelope.ts';
import { defaultTopology } from './topology.ts';

// A process with no exporter: no span is recorded, only the trace context a message came with is passed on.
const telemetry = startTelemetry({ serviceName: 'trace-relay-test', serviceVersion: '0.0.0', env: {} });
const tracer = telemetry.tracer('trace-relay-test');
const logger = createLogger('trace-relay-test', { level: 'silent' });
const MiB = 1024 * 1024;

let nats: NatsServer;
let bus: Bus;
beforeAll(async () => {
  nats = await startNats();
  const topology = {
    ...defaultTopology,
    streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 32 * MiB }])) as typeof defaultTopology.streams,
    state: { maxBytes: 16 * MiB, replicas: 1 },
  };
  bus = await Bus.connect({ servers: [nats.url], name: 'trace-relay-test', topology }, logger);
}, 60_000);
afterAll(async () => {
  await bus?.drain();
  await nats?.stop();
});

function notificationFor(data: ResourceEventData): NotificationData {
  return {
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 't',
    destination: { serviceType: 'webhook', service: 'hook', recipient: '' },
    stateKey: `k-${data.ref.name}`,
    idempotencyKey: `i-${data.ref.name}`,
    claimRevision: 1,
    ref: data.ref,
    rendered: { message: 'hi' },
  };
}

describe('trace context through a process that exports nothing', () => {
  it('passes the traceparent an event came with on to what its handler publishes, and makes none up', async () => {
    const publisher = bus.publisher('herald/evaluator', tracer);
    const events = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'relay' }, (d: Delivery<ResourceEventData>) => publisher.notification(notificationFor(d.event.data)).then(() => undefined));
    const seen = new Map<string, Delivery<NotificationData>>();
    let arrived = () => {};
    const notifications = await bus.subscriber(tracer, logger).subscribe('notifications', { durable: 'relay-out' }, async (d: Delivery<NotificationData>) => {
      seen.set(d.event.data.ref.name, d);
      arrived();
    });
    const event = (name: string): ResourceEventData => ({ action: 'MODIFIED', ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` }, resourceVersion: '1', object: { metadata: { name } } });

    // From a producer that traces (a Go one writes the header `Traceparent`), and from one that does not.
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const traced = event('traced');
    const h = natsHeaders();
    h.set('Traceparent', traceparent);
    await bus.js.publish(bus.topology.eventSubject(traced.ref.uid), encodeEnvelope({ id: 'traced-1', type: EventTypes.resource, source: 'go-producer', data: traced }), { msgID: 'traced-1', headers: h });
    await publisher.resourceEvent(event('untraced'));

    const deadline = Date.now() + 20_000;
    while (seen.size < 2 && Date.now() < deadline) await new Promise<void>((r) => ((arrived = r), setTimeout(r, 200)));
    await Promise.all([events.stop(), notifications.stop()]);
    expect(seen.get('traced')?.traceparent).toBe(traceparent);
    expect(seen.get('untraced')).toBeDefined();
    expect(seen.get('untraced')?.traceparent).toBeUndefined();
  }, 60_000);
});
