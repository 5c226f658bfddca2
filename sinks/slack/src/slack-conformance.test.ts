import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeSlack, type FakeSlack, type SlackBehaviour } from '@herald/test-harness';
import slack from './slack-sink.ts';

let api: FakeSlack;
beforeAll(async () => {
  api = await startFakeSlack();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => SlackBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ error: 'channel_not_found' }),
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Slack Web API', async () => {
  const signingSecret = 'signing-secret-conformance-77';
  const report = await runSinkConformance({
    plugin: slack,
    service: { type: 'slack', name: 'slack', config: { token: api.token, apiURL: api.apiUrl, signingSecret } },
    secrets: [api.token, signingSecret],
    notification: { destination: { service: 'slack', serviceType: 'slack', recipient: 'ops' }, rendered: { message: 'Pod web-1 is ready' } },
    templateBlock: { valid: { blocks: '[]', groupingKey: 'web', deliveryPolicy: 'Post' }, invalid: { attachmnts: '[]' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
