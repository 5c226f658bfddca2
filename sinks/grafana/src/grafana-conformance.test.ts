import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeGrafana, type FakeGrafana, type GrafanaBehaviour } from '@herald/test-harness';
import grafana from './grafana-sink.ts';

let api: FakeGrafana;
beforeAll(async () => {
  api = await startFakeGrafana();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => GrafanaBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 403, message: 'Permissions needed: annotations:create' }),
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Grafana annotations API', async () => {
  const report = await runSinkConformance({
    plugin: grafana,
    service: { type: 'grafana', name: 'grafana', config: { apiUrl: api.apiUrl, apiKey: api.apiKey } },
    secrets: [api.apiKey],
    notification: { destination: { service: 'grafana', serviceType: 'grafana', recipient: 'argocd|web' }, rendered: { message: 'Pod web-1 is ready' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(['first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
