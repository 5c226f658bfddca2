import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeMattermost, type FakeMattermost, type MattermostBehaviour } from '@herald/test-harness';
import mattermost from './mattermost-sink.ts';

let api: FakeMattermost;
beforeAll(async () => {
  api = await startFakeMattermost();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => MattermostBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => 'forbidden',
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Mattermost API v4', async () => {
  const report = await runSinkConformance({
    plugin: mattermost,
    service: { type: 'mattermost', name: 'mattermost', config: { apiURL: api.apiUrl, token: api.token } },
    secrets: [api.token],
    notification: { destination: { service: 'mattermost', serviceType: 'mattermost', recipient: api.channelId('deploys') }, rendered: { message: 'Pod web-1 is ready' } },
    templateBlock: { valid: { attachments: '[]' }, invalid: { attachment: '[]' } },
    remote: {
      reset: () => api.reset(),
      failNext: (kind, options) => api.behave(behaviours[kind](options?.retryAfterMs)),
      accepted: () => api.accepted(),
    },
  });
  expect(report.passed).toEqual([
    'template-schema',
    'first-send-delivers',
    'retryable-failure',
    'permanent-failure',
    'retry-after',
    'abort-on-hang',
    'delivers-after-failures',
    'stop-idempotent',
    'no-secret-leak',
  ]);
});
