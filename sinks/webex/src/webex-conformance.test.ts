import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeWebex, type FakeWebex, type WebexBehaviour } from '@herald/test-harness';
import webex from './webex-sink.ts';

let api: FakeWebex;
beforeAll(async () => {
  api = await startFakeWebex();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => WebexBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 404, message: 'Could not find a room with provided ID.' }),
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Webex messages API', async () => {
  const report = await runSinkConformance({
    plugin: webex,
    service: { type: 'webex', name: 'webex', config: { token: api.token, apiURL: api.apiUrl } },
    secrets: [api.token],
    notification: { destination: { service: 'webex', serviceType: 'webex', recipient: 'ops@example.com' }, rendered: { message: 'Pod web-1 is ready' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(['first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
