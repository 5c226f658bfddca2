import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeGoogleChat, type FakeGoogleChat, type GoogleChatBehaviour } from '@herald/test-harness';
import googlechat from './googlechat-sink.ts';

let api: FakeGoogleChat;
beforeAll(async () => {
  api = await startFakeGoogleChat();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => GoogleChatBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => 'not-found',
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Google Chat webhook API', async () => {
  const url = api.webhookUrl('ops');
  const report = await runSinkConformance({
    plugin: googlechat,
    service: { type: 'googlechat', name: 'googlechat', config: { webhooks: { ops: url } } },
    secrets: [url, new URL(url).searchParams.get('token')!, new URL(url).searchParams.get('key')!],
    notification: { destination: { service: 'googlechat', serviceType: 'googlechat', recipient: 'ops' }, rendered: { message: 'Pod web-1 is ready', googlechat: { threadKey: 'web-1' } } },
    templateBlock: { valid: { cardsV2: '[]', threadKey: 'x' }, invalid: { threadkey: 'x' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
