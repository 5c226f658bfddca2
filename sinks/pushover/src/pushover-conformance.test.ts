import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakePushover, type FakePushover, type PushoverBehaviour } from '@herald/test-harness';
import pushover from './pushover-sink.ts';

let api: FakePushover;
beforeAll(async () => {
  api = await startFakePushover();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => PushoverBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 400, field: 'user', error: 'user is disabled' }),
  throttle: (ms = 1_000) => ({ overQuota: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Pushover API', async () => {
  const report = await runSinkConformance({
    plugin: pushover,
    service: { type: 'pushover', name: 'pushover', config: { token: api.token, apiURL: api.apiUrl } },
    secrets: [api.token],
    notification: { destination: { service: 'pushover', serviceType: 'pushover', recipient: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG' }, rendered: { message: 'Pod web-1 is ready' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(['first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
