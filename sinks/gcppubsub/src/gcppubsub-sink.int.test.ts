import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { recordingLogger, sampleNotification, rejectionOf as rejection } from '@herald/plugin-testing';
import { eventually, freePort, startPubsubFake, type PubsubFake } from '@herald/test-harness';
import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import gcppubsub from './gcppubsub-sink.ts';
import { gcppubsubPluginConfigSchema, gcppubsubServiceConfigSchema, type GcppubsubServiceConfig, type GcppubsubServiceConfigInput } from './gcppubsub.config.ts';

let fake: PubsubFake;
let admin: PubSub;
let handle: SinkHandle<GcppubsubServiceConfig>;
const logger = recordingLogger();
const received = new Map<string, Message[]>();
const service = { project: 'herald-test' };

/** A topic with a subscription that keeps what arrives, as a subscriber would see it. */
async function topicWithSubscriber(name: string): Promise<Message[]> {
  const [topic] = await admin.createTopic(name);
  const [subscription] = await topic.createSubscription(`${name}-sub`);
  const got: Message[] = [];
  subscription.on('message', (m: Message) => {
    got.push(m);
    m.ack();
  });
  received.set(name, got);
  return got;
}

const send = (n: NotificationData, config: GcppubsubServiceConfigInput, signal = new AbortController().signal, name = 'gcppubsub') =>
  handle.send(n, { attempt: 1, signal, service: { type: 'gcppubsub', name, config: gcppubsubServiceConfigSchema.parse(config) } });
const notification = (topic: string, rendered: Record<string, unknown>) => sampleNotification({ destination: { serviceType: 'gcppubsub', service: 'gcppubsub', recipient: topic }, rendered });

beforeAll(async () => {
  fake = await startPubsubFake();
  // The way Argo's Go client and this Node client are pointed at an emulator.
  process.env.PUBSUB_EMULATOR_HOST = fake.host;
  admin = new PubSub({ projectId: service.project });
  await topicWithSubscriber('deploys');
  await topicWithSubscriber('fallback');
  handle = await gcppubsub.init({ config: gcppubsubPluginConfigSchema.parse({}), logger, signal: new AbortController().signal });
});
afterAll(async () => {
  await handle?.stop();
  for (const sub of (await admin.getSubscriptions())[0]) await sub.close();
  await admin?.close();
  await fake?.stop();
  delete process.env.PUBSUB_EMULATOR_HOST;
});

describe('what the subscriber receives', () => {
  it('the rendered message with the template attributes and the idempotency key', async () => {
    const sent = notification('deploys', { message: 'Application web is Synced', gcppubsub: { attributes: { app: 'web', phase: 'Synced' } } });
    await send(sent, service);
    const got = received.get('deploys')!;
    await eventually(async () => expect(got).toHaveLength(1), 10_000);
    expect(got[0]!.data.toString('utf8')).toBe('Application web is Synced');
    expect(got[0]!.attributes).toEqual({ app: 'web', phase: 'Synced', 'herald-idempotency-key': `${sent.idempotencyKey}:${sent.claimRevision}` });
  });

  it("publishes to the service's topic when the subscription names none", async () => {
    await send(notification('', { message: 'to the default topic' }), { ...service, topic: 'fallback' });
    const got = received.get('fallback')!;
    await eventually(async () => expect(got.map((m) => m.data.toString('utf8'))).toEqual(['to the default topic']), 10_000);
  });
});

describe('what fails', () => {
  it('a topic that does not exist is permanent, with the API text', async () => {
    const err = await rejection(send(notification('no-such-topic', { message: 'x' }), service));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/^gcppubsub "gcppubsub": publish to no-such-topic: Pub\/Sub answered NOT_FOUND: /);
  });

  it('no topic at all is permanent', async () => {
    expect(await rejection(send(notification('', { message: 'x' }), service))).toMatchObject({
      retryable: false,
      message: "gcppubsub \"gcppubsub\": no topic (neither the subscription nor the service's topic option names one)",
    });
  });

  it('a Pub/Sub that cannot be reached is retryable UNAVAILABLE at once: the client does not retry within the send', async () => {
    // A service whose client is made while the emulator address points at a port nothing listens on.
    process.env.PUBSUB_EMULATOR_HOST = `127.0.0.1:${await freePort()}`;
    try {
      const err = await rejection(send(notification('deploys', { message: 'x' }), { ...service, timeout: '20s' }, new AbortController().signal, 'unreachable'));
      expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/^gcppubsub "unreachable": publish to deploys: Pub\/Sub answered UNAVAILABLE: /) });
    } finally {
      process.env.PUBSUB_EMULATOR_HOST = fake.host;
    }
  });

  it('a Pub/Sub that never answers is cut by the send signal, then by the service timeout, as retryable', async () => {
    await fake.pause();
    try {
      const abort = new AbortController();
      const sending = rejection(send(notification('deploys', { message: 'x' }), service, abort.signal));
      abort.abort(new Error('delivery deadline passed'));
      expect(await sending).toMatchObject({ retryable: true, message: 'gcppubsub "gcppubsub": publish to deploys aborted: delivery deadline passed' });
      expect(await rejection(send(notification('deploys', { message: 'y' }), { ...service, timeout: '300ms' }))).toMatchObject({ retryable: true, message: expect.stringMatching(/aborted: no answer within 300 ms$/) });
    } finally {
      fake.resume();
    }
  });
});
