import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { NotificationData } from '@herald/plugin-sdk';
import email, { emailServiceConfigSchema } from '@herald/sink-email';
import { startMailpit, startNats, type Mailpit, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, until, type RunningSink } from './__fixtures__/delivery-harness.ts';

// The email sink's SMTP client span is a child of the deliver span of its attempt, as the webhook's HTTP
// client span is (the telemetry e2e test reads that one from Jaeger).

const logger = createLogger('email-client-span-test', { level: 'silent' });
const spans = new InMemorySpanExporter();
const telemetry = startTelemetry({ serviceName: 'email-client-span-test', serviceVersion: '0.0.0', env: {}, spanProcessors: [new SimpleSpanProcessor(spans)] });
let nats: NatsServer;
let mailpit: Mailpit;
let bus: Bus;
let sink: RunningSink;

const notification: NotificationData = {
  trigger: 'on-ready',
  conditionKey: '[0].abc',
  template: 'ready',
  destination: { serviceType: 'email', service: 'mail', recipient: 'ops@example.com' },
  stateKey: 'on-ready:[0].abc:mail:ops@example.com',
  idempotencyKey: 'key-mail',
  claimRevision: 1,
  ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-web-1' },
  rendered: { message: 'web-1 is ready', email: { subject: 'ready' } },
};

beforeAll(async () => {
  [nats, mailpit] = await Promise.all([startNats(), startMailpit()]);
  bus = await connectBus(nats.url, 'emailspan', logger);
  sink = await runSink({
    bus,
    plugin: email,
    services: [{ type: 'email', name: 'mail', config: emailServiceConfigSchema.parse({ host: '127.0.0.1', port: mailpit.smtpPort, from: 'herald@example.com' }) }],
    logger,
    telemetry,
  });
});
afterAll(async () => {
  await sink?.stop();
  await bus?.drain();
  await Promise.all([nats?.stop(), mailpit?.stop()]);
  await telemetry.shutdown();
});

describe('email sink tracing', () => {
  it('makes the SMTP client span a child of the deliver span', async () => {
    await bus.publisher('herald/test', telemetry.tracer('test')).notification(notification);
    await until('the SMTP span', () => spans.getFinishedSpans().some((s) => s.name === 'deliver email'));
    const finished = spans.getFinishedSpans();
    const deliver = finished.find((s) => s.name === 'deliver email')!;
    const smtp = finished.find((s) => s.name === 'SMTP 127.0.0.1');
    expect(smtp?.kind).toBe(SpanKind.CLIENT);
    expect(smtp?.parentSpanContext?.spanId).toBe(deliver.spanContext().spanId);
    expect(smtp?.spanContext().traceId).toBe(deliver.spanContext().traceId);
    expect(deliver.attributes['herald.outcome']).toBe('sent');
    expect(await mailpit.messages()).toHaveLength(1);
  });
});
