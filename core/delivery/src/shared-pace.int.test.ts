import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { Bus } from '@herald/core-bus';
import type { DeliveryResultData, NotificationData, Subscription } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';
import destinations, { sends } from './__fixtures__/destinations-sink.ts';
import { SharedPace } from './shared-pace.ts';

// Rate limits shared by sink processes through the bus's pace bucket, on a real nats-server: first the pace
// itself between two connections on one clock the test moves, then two sink runners sharing a destination.
// Assertions are about turns and about the record of sends, never about how long anything took.

const logger = createLogger('shared-pace-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'shared-pace-test', serviceVersion: '0.0.0' });
let nats: NatsServer;
const buses: Bus[] = [];

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await Promise.all(buses.map((b) => b.drain().catch(() => undefined)));
  await nats?.stop();
});

async function bus(prefix: string): Promise<Bus> {
  const b = await connectBus(nats.url, prefix, logger);
  buses.push(b);
  return b;
}

describe('a shared pace between two processes', () => {
  const clock = { now: 1_000 };
  const pace = (b: Bus, serviceType = 'chat') =>
    new SharedPace({ store: b.paceStore(serviceType), rate: { perSecond: 10, burst: 2 }, serviceType, logger, clock: { now: () => new Date(clock.now) } });
  let one: Bus;
  let two: Bus;

  beforeAll(async () => {
    one = await bus('pace');
    two = await bus('pace');
  });

  it('gives the turns of one destination out in order, whichever process asks: the burst, then one per interval', async () => {
    const [a, b] = [pace(one), pace(two)];
    expect(await a.reserve('ops', 1_000)).toEqual({ kind: 'send', waitMs: 0 });
    expect(await b.reserve('ops', 1_000)).toEqual({ kind: 'send', waitMs: 0 });
    // a's last write is no longer current: its write fails, it reads b's and takes the turn after it.
    expect(await a.reserve('ops', 1_000)).toEqual({ kind: 'send', waitMs: 100 });
    expect(await b.reserve('ops', 1_000)).toEqual({ kind: 'send', waitMs: 200 });
    // Further than the caller would wait: nothing is taken, so the turn is still the next one.
    expect(await a.reserve('ops', 250)).toEqual({ kind: 'later', waitMs: 300 });
    expect(await b.reserve('ops', 1_000)).toEqual({ kind: 'send', waitMs: 300 });
    // Another destination, and the same destination of another service type, have paces of their own.
    expect(await a.reserve('dev', 0)).toEqual({ kind: 'send', waitMs: 0 });
    expect(await pace(two, 'mail').reserve('ops', 0)).toEqual({ kind: 'send', waitMs: 0 });
  });

  it('gives a process’s sends to one destination, asked for at once, consecutive turns, none lost to its own writes', async () => {
    const a = pace(one);
    clock.now = 30_000;
    const turns = await Promise.all(Array.from({ length: 12 }, () => a.reserve('hot', 10_000)));
    expect(turns.map((t) => (t.kind === 'send' ? t.waitMs : t.kind))).toEqual([0, 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
  });

  it('pauses the destination for every process when one is told Retry-After', async () => {
    const [a, b] = [pace(one), pace(two)];
    clock.now = 60_000;
    expect(await a.reserve('paused', 0)).toEqual({ kind: 'send', waitMs: 0 });
    await b.pause('paused', 5_000);
    // Nothing before the pause ends, then the rate without a burst.
    expect(await a.reserve('paused', 0)).toEqual({ kind: 'later', waitMs: 5_000 });
    expect(await a.reserve('paused', 10_000)).toEqual({ kind: 'send', waitMs: 5_000 });
    expect(await b.reserve('paused', 10_000)).toEqual({ kind: 'send', waitMs: 5_100 });
  });

  it('falls back to the process’s own limits when the bus cannot be reached', async () => {
    const gone = await bus('pace');
    const a = pace(gone);
    await gone.drain();
    expect(await a.reserve('ops', 1_000)).toEqual({ kind: 'unshared' });
  });
});

describe('two sink processes on one rate-limited destination', () => {
  const RATE = { perSecond: 5, burst: 2 };
  let one: Bus;
  const sinks: RunningSink[] = [];
  const results: DeliveryResultData[] = [];
  const watches: Subscription[] = [];
  let sequence = 0;

  function notification(recipient: string): NotificationData {
    const i = sequence++;
    return {
      trigger: 'on-deployed',
      conditionKey: '[0].abc',
      template: 'deployed',
      destination: { serviceType: 'limited', service: 'limited', recipient },
      stateKey: `on-deployed:[0].abc:limited:${recipient}:${i}`,
      idempotencyKey: `key-${recipient}-${i}`,
      claimRevision: 1,
      ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: `app-${i}`, uid: `uid-${i}` },
      rendered: { message: `to ${recipient} #${i}` },
    };
  }
  const publish = (recipients: string[]) => Promise.all(recipients.map((r) => one.publisher('herald/test', telemetry.tracer('test')).notification(notification(r))));
  const sendsTo = (recipient: string) => sends.filter((s) => s.recipient === recipient);

  beforeAll(async () => {
    one = await bus('sinks');
    for (const name of ['one', 'two']) {
      sinks.push(
        await runSink({
          bus: name === 'one' ? one : await bus('sinks'),
          plugin: destinations,
          pluginOptions: { name, retryAfterMs: 1_000 },
          services: [{ type: 'limited', name: 'limited', config: {} }],
          // A few notifications out at once per process, so that both take part.
          settings: sinkSettings({ byType: { limited: { maxAckPending: 3, rateLimit: { ...RATE, maxWait: 50 } } } }),
          logger,
          telemetry,
        }),
      );
    }
    watches.push(await one.subscriber(telemetry.tracer('test'), logger).subscribe('results', { durable: 'test-results' }, async (d) => void results.push(d.event.data)));
  });
  afterAll(async () => {
    await Promise.all(watches.map((w) => w.stop()));
    await Promise.all(sinks.map((s) => s.stop()));
  });

  it('keeps the destination within its rate limit together, not each on its own', async () => {
    await publish(Array.from({ length: 16 }, () => 'shared'));
    await until('the notifications', () => results.filter((r) => r.destination.recipient === 'shared').length === 16);
    expect(results.filter((r) => r.destination.recipient === 'shared').every((r) => r.succeeded)).toBe(true);

    const sent = sendsTo('shared');
    expect(new Set(sent.map((s) => s.sender))).toEqual(new Set(['one', 'two']));
    const times = sent.map((s) => s.at).sort((a, b) => a - b);
    expect(times).toHaveLength(16);
    // In any window [t_i, t_j], both processes' sends together: at most burst + rate·(t_j - t_i). 25 ms of
    // slack for the time between a turn and the fixture's clock reading (a late timer only makes gaps shorter).
    for (let i = 0; i < times.length; i++) {
      for (let j = i; j < times.length; j++) expect(j - i + 1).toBeLessThanOrEqual(RATE.burst + (RATE.perSecond * (times[j]! - times[i]! + 25)) / 1_000);
    }
  });

  it('pauses the destination in both processes when one of them is answered Retry-After', async () => {
    await publish(['throttle']);
    await until('the 429', () => sendsTo('throttle').some((s) => s.outcome === 'failed'));
    const refused = sendsTo('throttle')[0]!;
    // The pause reaches the bus just after the 429: what was admitted before it would not know of it. A turn
    // asked for with a negative wait is never taken, so this reads the pace without changing it.
    const probe = new SharedPace({ store: one.paceStore('limited'), rate: RATE, serviceType: 'limited', logger });
    const pausedOnBus = async () => {
      const turn = await probe.reserve('limited\u0000throttle', -1);
      return turn.kind === 'later' && turn.waitMs > 500;
    };
    for (let tries = 0; !(await pausedOnBus()); tries++) {
      if (tries > 200) throw new Error('the pause never reached the bus');
      await new Promise((r) => setTimeout(r, 10));
    }
    await publish(Array.from({ length: 6 }, () => 'throttle'));
    await until('the throttled destination’s notifications', () => results.filter((r) => r.destination.recipient === 'throttle').length === 7);

    const later = sendsTo('throttle').slice(1);
    expect(later.length).toBe(7);
    expect(new Set(later.map((s) => s.sender))).toEqual(new Set(['one', 'two']));
    // 1 ms of slack: the fixture and the pace read the clock at slightly different moments.
    for (const s of later) expect(s.at).toBeGreaterThanOrEqual(refused.end! + 1_000 - 1);
  });
});
