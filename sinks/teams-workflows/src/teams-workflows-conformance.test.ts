import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeTeamsWorkflows, type FakeTeamsWorkflows, type WorkflowsBehaviour } from '@herald/test-harness';
import workflows from './teams-workflows-sink.ts';

let api: FakeTeamsWorkflows;
beforeAll(async () => {
  api = await startFakeTeamsWorkflows();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => WorkflowsBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => 'deleted',
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Power Automate workflow trigger', async () => {
  const url = api.workflowUrl('ops');
  const report = await runSinkConformance({
    plugin: workflows,
    service: { type: 'teams-workflows', name: 'teams-workflows', config: { recipientUrls: { ops: url } } },
    secrets: [url, new URL(url).searchParams.get('sig')!],
    notification: { destination: { service: 'teams-workflows', serviceType: 'teams-workflows', recipient: 'ops' }, rendered: { message: 'Pod web-1 is ready', 'teams-workflows': { title: 'web-1' } } },
    templateBlock: { valid: { title: 'x', adaptiveCard: '{}' }, invalid: { adaptivecard: '{}' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
