import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { systemClock, type DeadLetterData, type NotificationData, type PluginStore, type Subscription } from '@herald/plugin-sdk';
import slack, { slackServiceConfigSchema } from '@herald/sink-slack';
import { startFakeSlack, startNats, type FakeSlack, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';

// The Slack sink on core/delivery and a real nats-server: its groupingKey threads live in its PluginStore
// (NATS KV), so a sink started after the first one stopped replies in the same thread; Slack's 429 on one
// channel pauses that channel only.

const logger = createLogger('slack-delivery-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'slack-delivery-test', serviceVersion: '0.0.0' });

let nats: NatsServer;
let api: FakeSlack;
const buses: Bus[] = [];
const sinks: RunningSink[] = [];
const letters: DeadLetterData[] = [];
const watches: Subscription[] = [];

function notification(channel: string, id: string, slackBlock: Record<string, unknown> = {}): NotificationData {
  return {
    trigger: 'on-sync',
    conditionKey: '[0].abc',
    template: 'app-sync',
    destination: { serviceType: 'slack', service: 'slack', recipient: channel },
    stateKey: `on-sync:[0].abc:slack:${channel}:${id}`,
    idempotencyKey: `key-${id}`,
    claimRevision: 1,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: id, uid: `uid-${id}` },
    rendered: { message: `${id} synced`, slack: slackBlock },
  };
}

/** A sink process's worth: its own bus connection, its store, the runner. */
async function startSlackSink(): Promise<{ bus: Bus; store: PluginStore; sink: RunningSink }> {
  const bus = await connectBus(nats.url, 'slackdelivery', logger);
  buses.push(bus);
  const store = bus.pluginStore('slack');
  const sink = await runSink({
    bus,
    plugin: slack,
    deps: { store, clock: systemClock },
    services: [{ type: 'slack', name: 'slack', config: slackServiceConfigSchema.parse({ token: api.token, apiURL: api.apiUrl }) }],
    settings: sinkSettings({ maxDeliver: 20, backoff: { base: 100, max: 1_000, jitter: 'equal' }, circuitBreaker: { failures: 0, coolDown: 1_000, maxCoolDown: 1_000 } }),
    logger,
    telemetry,
  });
  sinks.push(sink);
  return { bus, store, sink };
}

beforeAll(async () => {
  api = await startFakeSlack();
  nats = await startNats();
  const { bus } = await startSlackSink();
  const subscriber = bus.subscriber(telemetry.tracer('test'), logger);
  watches.push(await subscriber.subscribe('deadLetters', { durable: 'test-letters' }, async (d) => void letters.push(d.event.data)));
});
afterAll(async () => {
  await Promise.all(watches.map((w) => w.stop()));
  for (const sink of sinks) await sink.stop();
  for (const bus of buses) await bus.drain();
  await nats?.stop();
  await api?.close();
});

describe('durable groupingKey threads', () => {
  it('a sink started after the first one stopped replies in the thread the first one started, its parent read from NATS KV', async () => {
    const first = sinks[0]!;
    const publisher = buses[0]!.publisher('herald/test', telemetry.tracer('test'));
    await publisher.notification(notification('deploys', 'guestbook-1', { groupingKey: 'guestbook' }));
    await until('the parent message', () => api.messages('deploys').length === 1);
    // Slack has the message before the sink has recorded its thread: stopped in between, the send is handed back
    // and the thread never recorded. The first sink stops once it has.
    const recorded = buses[0]!.pluginStore('slack');
    for (const deadline = Date.now() + 45_000; (await recorded.entries()).size === 0; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error('gave up waiting for the thread to be recorded');
    }
    await first.stop();

    const { store } = await startSlackSink();
    const [parent] = api.messages('deploys');
    expect([...(await store.entries()).values()].map((e) => JSON.parse(e.value))).toEqual([{ ts: parent!.ts, channel: api.channelId('deploys') }]);

    await publisher.notification(notification('deploys', 'guestbook-2', { groupingKey: 'guestbook' }));
    await until('the reply', () => api.messages('deploys').length === 2);
    expect(api.messages('deploys')[1]).toMatchObject({ text: 'guestbook-2 synced', thread_ts: parent!.ts });
  });
});

describe('Slack answering 429 to one channel', () => {
  it('holds that channel back, not another: the other channel gets its messages while the throttled one is still refused, which gets all of its own once Slack lets it', async () => {
    api.reset();
    api.behave({ throttle: 1 }, 'storm');
    const publisher = buses[0]!.publisher('herald/test', telemetry.tracer('test'));
    for (let i = 0; i < 3; i++) await publisher.notification(notification('storm', `storm-${i}`));
    await until('the first 429', () => api.requests.some((r) => r.status === 429));
    for (let i = 0; i < 3; i++) await publisher.notification(notification('calm', `calm-${i}`));

    await until('every calm message', () => api.messages('calm').length === 3);
    expect(api.messages('storm')).toHaveLength(0);
    api.behave('ok', 'storm');
    await until('every storm message', () => api.messages('storm').length === 3);
    expect(api.messages('storm').map((m) => m.text).sort()).toEqual(['storm-0 synced', 'storm-1 synced', 'storm-2 synced']);
    expect(letters).toEqual([]);
  });
});
