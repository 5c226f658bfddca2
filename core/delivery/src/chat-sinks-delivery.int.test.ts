import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { DeadLetterData, NotificationData, Subscription } from '@herald/plugin-sdk';
import discord, { discordServiceConfigSchema } from '@herald/sink-discord';
import { startFakeDiscord, startNats, type FakeDiscord, type NatsServer } from '@herald/test-harness';
import { connectBus, runSink, sinkSettings, until, type RunningSink } from './__fixtures__/delivery-harness.ts';

// The Discord sink on core/delivery and a real nats-server, against a Discord whose webhook bucket holds
// two executions per window: the 429's `retry_after` pauses the webhook (few 429s, every message sent in
// the end), and a webhook Discord does not know is dead-lettered with Discord's words and no token.

const logger = createLogger('chat-sinks-delivery-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'chat-sinks-delivery-test', serviceVersion: '0.0.0' });

let nats: NatsServer;
let api: FakeDiscord;
let bus: Bus;
let sink: RunningSink;
const letters: DeadLetterData[] = [];
let watch: Subscription;
const unknownToken = 'UnknownWebhookT0ken_abcdefghijklmnopqrstuvwxyz0123456789';

function notification(recipient: string, id: string): NotificationData {
  return {
    trigger: 'on-sync',
    conditionKey: '[0].abc',
    template: 'app-sync',
    destination: { serviceType: 'discord', service: 'discord', recipient },
    stateKey: `on-sync:[0].abc:discord:${recipient}:${id}`,
    idempotencyKey: `key-${id}`,
    claimRevision: 1,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: id, uid: `uid-${id}` },
    rendered: { message: `${id} synced` },
  };
}

beforeAll(async () => {
  api = await startFakeDiscord({ rateLimit: { limit: 2, windowMs: 1_500 } });
  nats = await startNats();
  bus = await connectBus(nats.url, 'chatdelivery', logger);
  sink = await runSink({
    bus,
    plugin: discord,
    services: [
      {
        type: 'discord',
        name: 'discord',
        config: discordServiceConfigSchema.parse({ webhooks: { deploys: api.webhookUrl('deploys'), gone: `${api.origin}/api/webhooks/1180000000000000999/${unknownToken}` } }),
      },
    ],
    settings: sinkSettings({ maxDeliver: 20, backoff: { base: 50, max: 200, jitter: 'equal' }, circuitBreaker: { failures: 0, coolDown: 1_000, maxCoolDown: 1_000 } }),
    logger,
    telemetry,
  });
  const subscriber = bus.subscriber(telemetry.tracer('test'), logger);
  watch = await subscriber.subscribe('deadLetters', { durable: 'test-letters' }, async (d) => void letters.push(d.event.data));
});
afterAll(async () => {
  await watch?.stop();
  await sink?.stop();
  await bus?.drain();
  await nats?.stop();
  await api?.close();
});

it("waits out Discord's retry_after instead of hammering the webhook, and sends every message", async () => {
  const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
  for (let i = 0; i < 5; i++) await publisher.notification(notification('deploys', `app-${i}`));
  await until('every message', () => api.messages.length === 5);
  expect(api.messages.map((m) => m.content).sort()).toEqual(['app-0 synced', 'app-1 synced', 'app-2 synced', 'app-3 synced', 'app-4 synced']);
  // Backoff alone (50–200 ms) would come back a dozen times or more within each 1.5 s window; waiting out
  // retry_after costs about one 429 per message that found the bucket empty.
  const throttled = api.requests.filter((r) => r.status === 429).length;
  expect(throttled).toBeGreaterThan(0);
  expect(throttled).toBeLessThanOrEqual(4);
  expect(letters).toEqual([]);
});

it("dead-letters a webhook Discord does not know at once, with Discord's words and without the token", async () => {
  const publisher = bus.publisher('herald/test', telemetry.tracer('test'));
  const before = api.requests.length;
  await publisher.notification(notification('gone', 'lost'));
  await until('the dead letter', () => letters.length === 1);
  expect(api.requests.length - before).toBe(1);
  expect(letters[0]!.reason).toContain(`discord "discord": POST for recipient "gone" to ${api.origin}: Discord answered HTTP 404: Unknown Webhook (code 10015)`);
  expect(JSON.stringify(letters)).not.toContain(unknownToken);
  expect(JSON.stringify(letters)).not.toContain('1180000000000000999');
});
