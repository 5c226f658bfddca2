import { afterAll, beforeAll, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import type { NatsServer } from '@herald/test-harness';
import nats from './nats-sink.ts';
import { nkeyUser, PASSWORD, readerConnection, serverConfig, startAuthNats } from './__fixtures__/nats-harness.ts';

const SUBJECT = 'conformance.events';
const STREAM = 'CONFORMANCE';
let server: NatsServer;
const nkey = nkeyUser();
let paused = false;

beforeAll(async () => {
  server = await startAuthNats(nkey.publicKey);
  // What the sink published, counted by the server itself: a stream on the subject keeps every message,
  // across the restarts the checks make.
  const nc = await readerConnection(server);
  await (await jetstreamManager(nc)).streams.add({ name: STREAM, subjects: [SUBJECT] });
  await nc.close();
});
afterAll(async () => {
  if (paused) server.resume();
  await server?.stop();
});

async function storedMessages(): Promise<number> {
  // Asked right after the killed server failed a send: started again (same store) to answer.
  if (!server.running()) await server.start();
  const nc = await readerConnection(server);
  try {
    return (await (await jetstreamManager(nc)).streams.info(STREAM)).state.messages;
  } finally {
    await nc.close();
  }
}

// Every failure is the real server's: down (killed), refusing the subject (its permissions reloaded), hung (stopped).
const failures: Record<Exclude<RemoteFailure, 'throttle'>, () => Promise<void> | void> = {
  retryable: () => server.kill(),
  permanent: () => server.reload(serverConfig(nkey.publicKey, [SUBJECT])),
  hang: async () => {
    paused = true;
    await server.pause();
  },
};

it('passes the sink conformance kit against a real nats-server (NATS has no throttling answer)', async () => {
  const report = await runSinkConformance({
    plugin: nats,
    service: { type: 'nats', name: 'nats', config: { url: server.url, username: 'herald', password: PASSWORD, nkey: nkey.seed, headers: { 'X-Source': 'herald' } } },
    secrets: [PASSWORD, nkey.seed],
    notification: { destination: { service: 'nats', serviceType: 'nats', recipient: SUBJECT }, rendered: { message: 'Pod web-1 is ready' } },
    remote: {
      failures: ['retryable', 'permanent', 'hang'],
      reset: async () => {
        if (paused) server.resume();
        paused = false;
        if (!server.running()) await server.start();
        await server.reload(serverConfig(nkey.publicKey));
      },
      failNext: (kind) => failures[kind as keyof typeof failures](),
      accepted: () => storedMessages(),
    },
  });
  expect(report.passed).toEqual(['first-send-delivers', 'retryable-failure', 'permanent-failure', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
