import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Meter } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { DeadLetterData, DeliveryResultData, NotificationData, Subscription } from '@herald/plugin-sdk';
import webhook, { webhookServiceConfigSchema } from '@herald/sink-webhook';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';

// One send is one attempt: a webhook service's retryMax is carried out by core/delivery, every request
// through the destination's rate limit, and the notification is dead-lettered after retryMax + 1 requests,
// not (retryMax + 1) × maxDeliver.

const logger = createLogger('webhook-retries-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'webhook-retries-test', serviceVersion: '0.0.0' });
const RETRY_MAX = 2;
const MAX_DELIVER = 5;
/** What the destination limits said to each attempt (`herald.delivery.admissions`), by answer. */
const admissions = new Map<string, number>();
const ignored = { add: () => undefined, record: () => undefined };
const meter = {
  createCounter: (name: string) =>
    name === 'herald.delivery.admissions'
      ? { add: (n: number, attributes: Record<string, string>) => admissions.set(attributes['herald.admission']!, (admissions.get(attributes['herald.admission']!) ?? 0) + n) }
      : ignored,
  createHistogram: () => ignored,
  createUpDownCounter: () => ignored,
  createObservableGauge: () => ({ addCallback: () => undefined, removeCallback: () => undefined }),
} as unknown as Meter;

let nats: NatsServer;
let bus: Bus;
let sink: RunningSink;
let receiver: Server;
let origin: string;
const requests: { method: string; url: string; key: string | undefined }[] = [];
const results: DeliveryResultData[] = [];
const letters: DeadLetterData[] = [];
const watches: Subscription[] = [];

function notification(id: string): NotificationData {
  return {
    trigger: 'on-deployed',
    conditionKey: '[0].abc',
    template: 'deployed',
    destination: { serviceType: 'webhook', service: 'hook', recipient: '' },
    stateKey: `on-deployed:[0].abc:hook::${id}`,
    idempotencyKey: `key-${id}`,
    claimRevision: 1,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: id, uid: `uid-${id}` },
    rendered: { message: `deployed ${id}` },
  };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, key: req.headers['idempotency-key'] as string | undefined });
    req.resume();
    req.on('end', () => res.writeHead(500).end('database is down'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  nats = await startNats();
  bus = await connectBus(nats.url, 'webhookretries', logger);
  sink = await runSink({
    bus,
    plugin: webhook,
    services: [{ type: 'webhook', name: 'hook', config: webhookServiceConfigSchema.parse({ url: `${origin}/hook`, retryMax: RETRY_MAX, retryWaitMin: '10ms', retryWaitMax: '50ms' }) }],
    settings: sinkSettings({
      maxDeliver: MAX_DELIVER,
      // Exactly retryMax + 1 tokens for the destination, refilled far slower than the test runs: if a request
      // went by without a token, a later notification would still find one.
      rateLimit: { perSecond: 0.001, burst: RETRY_MAX + 1, maxWait: 0 },
      // No breaker: its opening would answer later attempts instead of the limiter.
      circuitBreaker: { failures: 0, coolDown: 1_000, maxCoolDown: 1_000 },
    }),
    logger,
    telemetry,
    meter,
  });
  const subscriber = bus.subscriber(telemetry.tracer('test'), logger);
  watches.push(await subscriber.subscribe('results', { durable: 'test-results' }, async (d) => void results.push(d.event.data)));
  watches.push(await subscriber.subscribe('deadLetters', { durable: 'test-letters' }, async (d) => void letters.push(d.event.data)));
});
afterAll(async () => {
  await Promise.all(watches.map((w) => w.stop()));
  await sink?.stop();
  await bus?.drain();
  await nats?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('a webhook that always answers 500', () => {
  it(`costs retryMax + 1 = ${RETRY_MAX + 1} requests in all, each admitted by the rate limiter, then one dead letter with the attempt count`, async () => {
    await bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('first'));
    await until('the dead letter', () => letters.length === 1);

    expect(requests).toHaveLength(RETRY_MAX + 1);
    expect(requests.every((r) => r.method === 'GET' && r.url === '/hook' && r.key === 'key-first:1')).toBe(true);
    // Each request took a token: the limiter admitted exactly as many sends as the receiver saw.
    expect(admissions.get('send')).toBe(RETRY_MAX + 1);

    const [letter] = letters;
    expect(letter).toMatchObject({ consumer: 'herald-sink-webhook', deliveryCount: RETRY_MAX + 1, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    expect(letter!.reason).toBe(`gave up after ${RETRY_MAX + 1} attempts: plugin "webhook": send to hook failed: webhook "hook": GET ${origin}/hook answered 500 Internal Server Error: database is down`);
    expect(JSON.parse(letter!.original.payload).data.idempotencyKey).toBe('key-first');
    await until('the failed result', () => results.length === 1);
    expect(results[0]).toMatchObject({ succeeded: false, attempts: RETRY_MAX + 1, error: { code: 'HERALD_ERR_DELIVERY_TRANSIENT', retryable: true } });
  });

  it('has spent the destination’s tokens: the next notification is held back by the rate limit, not sent', async () => {
    await bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('second'));
    await until('the rate limit to hold the next notification back', () => (admissions.get('rate limited') ?? 0) >= 1);
    expect(requests).toHaveLength(RETRY_MAX + 1);
    expect(admissions.get('send')).toBe(RETRY_MAX + 1);
    expect(letters).toHaveLength(1);
  });
});
