import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeNewrelic, type FakeNewrelic, type NewrelicBehaviour } from '@herald/test-harness';
import newrelic from './newrelic-sink.ts';

let api: FakeNewrelic;
beforeAll(async () => {
  api = await startFakeNewrelic();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => NewrelicBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 404, title: 'Application not found' }),
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local New Relic deployments API', async () => {
  const report = await runSinkConformance({
    plugin: newrelic,
    service: { type: 'newrelic', name: 'newrelic', config: { apiKey: api.apiKey, apiURL: api.apiUrl } },
    secrets: [api.apiKey],
    notification: { destination: { service: 'newrelic', serviceType: 'newrelic', recipient: '123456789' }, rendered: { message: 'web synced', newrelic: { revision: '2ca1a7d' } } },
    templateBlock: { valid: { revision: '{{.rev}}', changelog: 'c', description: 'd', user: 'u' }, invalid: { revison: '{{.rev}}' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(['template-schema', 'first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
