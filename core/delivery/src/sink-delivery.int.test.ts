import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { Bus } from '@herald/core-bus';
import type { DeadLetterData, DeliveryResultData, NotificationData, Subscription } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';
import destinations, { peakInFlight, sends, type SendRecord } from './__fixtures__/destinations-sink.ts';

// Per-destination delivery: isolation of a dead destination, rate limits, concurrency, Retry-After and jitter.
// Assertions are about what was delivered and about the record of sends, never about how long anything took.

const logger = createLogger('sink-delivery-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'sink-delivery-test', serviceVersion: '0.0.0' });
const RATE = { perSecond: 5, burst: 2 };
let nats: NatsServer;
let bus: Bus;
let sink: RunningSink;
const results: DeliveryResultData[] = [];
const letters: DeadLetterData[] = [];
const watches: Subscription[] = [];
let sequence = 0;

function notification(serviceType: string, recipient: string): NotificationData {
  const i = sequence++;
  return {
    trigger: 'on-deployed',
    conditionKey: '[0].abc',
    template: 'deployed',
    destination: { serviceType, service: serviceType, recipient },
    stateKey: `on-deployed:[0].abc:${serviceType}:${recipient}:${i}`,
    idempotencyKey: `key-${serviceType}-${recipient}-${i}`,
    claimRevision: 1,
    // One object per notification: they spread over the partitions and are handled in parallel.
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: `app-${i}`, uid: `uid-${i}` },
    rendered: { message: `to ${recipient} #${i}` },
  };
}

async function publish(serviceType: string, recipients: string[]): Promise<void> {
  const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
  await Promise.all(recipients.map((r) => publisher.notification(notification(serviceType, r))));
}

const sendsTo = (recipient: string, serviceType = 'isolated'): SendRecord[] => sends.filter((s) => s.recipient === recipient && s.serviceType === serviceType);
const resultsFor = (pred: (recipient: string) => boolean) => results.filter((r) => pred(r.destination.recipient));
const lettersFor = (recipient: string) => letters.filter((l) => JSON.parse(l.original.payload).data.destination.recipient === recipient);

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus(nats.url, 'delivery', logger);
  sink = await runSink({
    bus,
    plugin: destinations,
    callTimeoutMs: 500,
    services: ['isolated', 'limited', 'jittery'].map((type) => ({ type, name: type, config: {} })),
    settings: sinkSettings({
      maxDeliver: 3,
      backoff: { base: 100, max: 400, jitter: 'equal' },
      circuitBreaker: { failures: 3, coolDown: 300, maxCoolDown: 600 },
      byType: {
        limited: { rateLimit: { ...RATE, maxWait: 50 } },
        jittery: { maxDeliver: 2, backoff: { base: 400, max: 400, jitter: 'equal' } },
      },
    }),
    logger,
    telemetry,
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
});

describe('sink delivery per destination', () => {
  it('delivers every notification of healthy destinations while a dead one hangs, and dead-letters the dead one’s with their attempts', async () => {
    const healthy = Array.from({ length: 100 }, (_, i) => `ok-${i % 5}`);
    const dead = Array.from({ length: 30 }, () => 'dead');
    // Dead ones first, so they are in the way of the healthy ones.
    await publish('isolated', [...dead, ...healthy]);

    await until('the healthy notifications', () => resultsFor((r) => r.startsWith('ok-')).length === 100);
    const delivered = resultsFor((r) => r.startsWith('ok-'));
    expect(delivered.every((r) => r.succeeded && r.attempts === 1)).toBe(true);
    expect(new Set(delivered.map((r) => r.idempotencyKey)).size).toBe(100);
    expect(sends.filter((s) => s.recipient.startsWith('ok-')).length).toBe(100);

    await until('the dead destination’s dead letters', () => lettersFor('dead').length === 30);
    for (const letter of lettersFor('dead')) {
      expect(letter).toMatchObject({ consumer: 'herald-sink-isolated', deliveryCount: 3 });
      expect(letter.reason).toMatch(/^gave up after 3 attempts: plugin "destinations": /);
      // The last error: the send's own timeout, or the open breaker naming the timeout that opened it.
      expect(letter.reason).toMatch(/did not finish within 500 ms/);
      expect(['HERALD_ERR_PLUGIN_TIMEOUT', 'HERALD_ERR_SINK_CIRCUIT_OPEN']).toContain(letter.code);
    }
    expect(lettersFor('dead').some((l) => l.code === 'HERALD_ERR_SINK_CIRCUIT_OPEN')).toBe(true);
    await until('the dead destination’s failed results', () => resultsFor((r) => r === 'dead').length === 30);
    expect(resultsFor((r) => r === 'dead').every((r) => !r.succeeded && r.attempts === 3 && r.error?.retryable)).toBe(true);
    // The breaker spared the dead destination most sends: 30 notifications × 3 attempts would be 90 calls.
    expect(sendsTo('dead').length).toBeLessThan(30);
    // Never more sends in flight to it than allowed per destination.
    expect(peakInFlight.get('dead')).toBeLessThanOrEqual(4);
  });

  it('keeps a destination within its rate limit and still delivers all its notifications', async () => {
    await publish('limited', [...Array.from({ length: 12 }, () => 'limited-a'), ...Array.from({ length: 12 }, () => 'limited-b')]);
    await until('the rate-limited notifications', () => resultsFor((r) => r.startsWith('limited-')).length === 24);
    expect(resultsFor((r) => r.startsWith('limited-')).every((r) => r.succeeded && r.attempts === 1)).toBe(true);

    for (const recipient of ['limited-a', 'limited-b']) {
      const times = sendsTo(recipient, 'limited').map((s) => s.at).sort((a, b) => a - b);
      expect(times).toHaveLength(12);
      // In any window [t_i, t_j]: at most burst + rate·(t_j - t_i) sends. 25 ms of slack for the time between
      // the limiter's admission and the fixture's clock reading (a late timer can only make gaps look shorter).
      for (let i = 0; i < times.length; i++) {
        for (let j = i; j < times.length; j++) expect(j - i + 1).toBeLessThanOrEqual(RATE.burst + (RATE.perSecond * (times[j]! - times[i]! + 25)) / 1_000);
      }
    }
  });

  it('keeps at most perDestination sends in flight to one destination; the others wait without counting an attempt', async () => {
    await publish('isolated', Array.from({ length: 12 }, () => 'slow-a'));
    await until('the slow destination’s notifications', () => resultsFor((r) => r === 'slow-a').length === 12);
    expect(resultsFor((r) => r === 'slow-a').every((r) => r.succeeded && r.attempts === 1)).toBe(true);
    expect(peakInFlight.get('slow-a')).toBeLessThanOrEqual(4);
    expect(peakInFlight.get('slow-a')).toBeGreaterThan(1);
  });

  it('pauses a destination that answered Retry-After: nothing more is sent to it before then', async () => {
    await publish('isolated', ['throttle']);
    await until('the 429', () => sendsTo('throttle').some((s) => s.outcome === 'failed'));
    const refused = sendsTo('throttle')[0]!;
    await publish('isolated', Array.from({ length: 4 }, () => 'throttle'));
    await until('the throttled destination’s notifications', () => resultsFor((r) => r === 'throttle').length === 5);

    const later = sendsTo('throttle').slice(1);
    expect(later).toHaveLength(5);
    // 1 ms of slack: the fixture and the limiter read the clock at slightly different moments.
    for (const s of later) expect(s.at).toBeGreaterThanOrEqual(refused.end! + 300 - 1);
    // The refused one was tried again (a counted attempt); the ones that waited for the pause count none.
    expect(resultsFor((r) => r === 'throttle').map((r) => r.attempts).sort()).toEqual([1, 1, 1, 1, 2]);
  });

  it('spreads retries with jitter: notifications that failed together come back at different times', async () => {
    const recipients = Array.from({ length: 8 }, (_, i) => `fail-${i}`);
    await publish('jittery', recipients);
    await until('the failing notifications’ dead letters', () => recipients.every((r) => lettersFor(r).length === 1));

    const gaps = recipients.map((r) => {
      const [first, second] = sendsTo(r, 'jittery');
      expect([first?.attempt, second?.attempt]).toEqual([1, 2]);
      return second!.at - first!.at;
    });
    // Equal jitter on 400 ms: each retry waits between 200 and 400 ms, each its own draw.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(200 - 5);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(10);
    for (const r of recipients) expect(lettersFor(r)[0]).toMatchObject({ deliveryCount: 2, code: 'HERALD_ERR_DELIVERY_TRANSIENT', reason: 'gave up after 2 attempts: plugin "destinations": send to jittery failed: 502 Bad Gateway' });
  });
});
