import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeRocketChat, type FakeRocketChat, type RocketChatBehaviour } from '@herald/test-harness';
import rocketchat from './rocketchat-sink.ts';

let api: FakeRocketChat;
beforeAll(async () => {
  api = await startFakeRocketChat();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => RocketChatBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 400, error: 'error-not-allowed' }),
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Rocket.Chat REST API', async () => {
  const report = await runSinkConformance({
    plugin: rocketchat,
    service: { type: 'rocketchat', name: 'rocketchat', config: { serverUrl: api.serverUrl, email: api.email, password: api.password } },
    secrets: [api.password],
    notification: { destination: { service: 'rocketchat', serviceType: 'rocketchat', recipient: '#deploys' }, rendered: { message: 'Pod web-1 is ready' } },
    templateBlock: { valid: { attachments: '[]' }, invalid: { attachements: '[]' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(['template-schema', 'first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
