import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { DeadLetterData, NotificationData, Subscription } from '@herald/plugin-sdk';
import telegram, { telegramServiceConfigSchema } from '@herald/sink-telegram';
import { startFakeTelegram, startNats, type FakeTelegram, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';

// The Telegram sink on core/delivery and a real nats-server: Telegram says when to retry in its body
// (`parameters.retry_after`), not a header, and that pause holds one chat only; a chat Telegram does not
// know is dead-lettered with Telegram's description, the bot token in no dead letter.

const logger = createLogger('telegram-delivery-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'telegram-delivery-test', serviceVersion: '0.0.0' });

let nats: NatsServer;
let api: FakeTelegram;
let bus: Bus;
let sink: RunningSink;
const letters: DeadLetterData[] = [];
const watches: Subscription[] = [];

function notification(chat: string, id: string): NotificationData {
  return {
    trigger: 'on-sync',
    conditionKey: '[0].abc',
    template: 'app-sync',
    destination: { serviceType: 'telegram', service: 'telegram', recipient: chat },
    stateKey: `on-sync:[0].abc:telegram:${chat}:${id}`,
    idempotencyKey: `key-${id}`,
    claimRevision: 1,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: id, uid: `uid-${id}` },
    rendered: { message: `*${id}* synced` },
  };
}

beforeAll(async () => {
  api = await startFakeTelegram();
  nats = await startNats();
  bus = await connectBus(nats.url, 'telegramdelivery', logger);
  sink = await runSink({
    bus,
    plugin: telegram,
    // As Herald passes them: the token came from the notifications Secret.
    services: [{ type: 'telegram', name: 'telegram', config: telegramServiceConfigSchema.parse({ token: api.token, apiURL: api.apiUrl }), secrets: [api.token] }],
    // The declared limit (one message a second per chat) lifted, so the test is about retry_after alone.
    settings: sinkSettings({ maxDeliver: 20, backoff: { base: 100, max: 1_000, jitter: 'equal' }, circuitBreaker: { failures: 0, coolDown: 1_000, maxCoolDown: 1_000 }, byType: { telegram: { rateLimit: { perSecond: 0 } } } }),
    logger,
    telemetry,
  });
  const subscriber = bus.subscriber(telemetry.tracer('test'), logger);
  watches.push(await subscriber.subscribe('deadLetters', { durable: 'test-letters' }, async (d) => void letters.push(d.event.data)));
});
afterAll(async () => {
  await Promise.all(watches.map((w) => w.stop()));
  await sink?.stop();
  await bus?.drain();
  await nats?.stop();
  await api?.close();
});

describe('Telegram on the delivery runtime', () => {
  it('429 retry_after on one chat holds that chat back, not another; all arrive once Telegram lets them', async () => {
    api.behave({ throttle: 1 }, '-1001');
    const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
    for (let i = 0; i < 3; i++) await publisher.notification(notification('-1001', `storm-${i}`));
    await until('the first 429', () => api.requests.some((r) => r.status === 429));
    for (let i = 0; i < 3; i++) await publisher.notification(notification('-1002', `calm-${i}`));

    await until('every calm message', () => api.messages('-1002').length === 3);
    expect(api.messages('-1001')).toHaveLength(0);
    api.behave('ok', '-1001');
    await until('every storm message', () => api.messages('-1001').length === 3);
    expect(api.messages('-1001').map((m) => m.text).sort()).toEqual(['*storm-0* synced', '*storm-1* synced', '*storm-2* synced']);
    expect(letters).toEqual([]);
  });

  it("a chat Telegram does not know is dead-lettered at once with Telegram's description, without the token", async () => {
    api.reset();
    api.behave({ status: 400, description: 'Bad Request: chat not found' }, '-1009');
    await bus.publisher('herald/test', telemetry.tracer('test')).notification(notification('-1009', 'lost'));
    await until('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ code: 'HERALD_ERR_DELIVERY_PERMANENT', reason: expect.stringContaining('Telegram answered 400: Bad Request: chat not found') });
    expect(api.requests).toHaveLength(1);
    expect(JSON.stringify(letters)).not.toContain(api.token);
  });
});
