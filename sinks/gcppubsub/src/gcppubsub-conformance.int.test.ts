import { afterAll, beforeAll, expect, it } from 'vitest';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { runSinkConformance } from '@herald/plugin-testing';
import { startPubsubFake, type PubsubFake } from '@herald/test-harness';
import gcppubsub from './gcppubsub-sink.ts';

const TOPIC = 'conformance';
let fake: PubsubFake;
let admin: PubSub;
let subscription: Subscription | undefined;
let paused = false;
let accepted = 0;

// A subscription on the topic counts what the fake accepted; the permanent failure deletes the topic, and
// reset makes it (and a subscription) again.
async function ensureTopic(): Promise<void> {
  const [exists] = await admin.topic(TOPIC).exists();
  if (exists) return;
  await subscription?.close();
  const [topic] = await admin.createTopic(TOPIC);
  [subscription] = await topic.createSubscription(`${TOPIC}-sub-${Date.now()}`);
  subscription.on('message', (m: Message) => {
    accepted++;
    m.ack();
  });
}

beforeAll(async () => {
  fake = await startPubsubFake();
  process.env.PUBSUB_EMULATOR_HOST = fake.host;
  admin = new PubSub({ projectId: 'herald-test' });
  await ensureTopic();
});
afterAll(async () => {
  if (paused) fake.resume();
  await subscription?.close();
  await admin?.close();
  await fake?.stop();
  delete process.env.PUBSUB_EMULATOR_HOST;
});

it("passes the sink conformance kit against Google's Pub/Sub fake (pstest)", async () => {
  const report = await runSinkConformance({
    plugin: gcppubsub,
    service: { type: 'gcppubsub', name: 'gcppubsub', config: { project: 'herald-test', topic: TOPIC } },
    secrets: [],
    notification: { destination: { service: 'gcppubsub', serviceType: 'gcppubsub', recipient: TOPIC }, rendered: { message: 'Pod web-1 is ready', gcppubsub: { attributes: { pod: 'web-1' } } } },
    templateBlock: { valid: { attributes: { pod: '{{.obj.metadata.name}}' } }, invalid: { attributs: {} } },
    remote: {
      // pstest cannot be made to answer UNAVAILABLE or to throttle while it runs: those are covered by the error mapping's tests.
      failures: ['permanent', 'hang'],
      reset: async () => {
        if (paused) fake.resume();
        paused = false;
        await ensureTopic();
      },
      failNext: async (kind) => {
        if (kind === 'hang') {
          paused = true;
          await fake.pause();
        } else await admin.topic(TOPIC).delete();
      },
      // What the subscriber got; the kit asks right after a send resolved, so wait for the delivery.
      accepted: async () => {
        const before = accepted;
        for (let i = 0; i < 60 && accepted === before; i++) await new Promise((r) => setTimeout(r, 50));
        return accepted;
      },
    },
  });
  expect(report.passed).toEqual(['template-schema', 'first-send-delivers', 'permanent-failure', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
