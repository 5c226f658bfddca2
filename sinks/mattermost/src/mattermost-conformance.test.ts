import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
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
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
