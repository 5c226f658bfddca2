import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeTeams, type FakeTeams, type TeamsBehaviour } from '@herald/test-harness';
import teams from './teams-sink.ts';

let api: FakeTeams;
beforeAll(async () => {
  api = await startFakeTeams();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => TeamsBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => 'gone',
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Office 365 connector', async () => {
  const url = api.webhookUrl('ops');
  const report = await runSinkConformance({
    plugin: teams,
    service: { type: 'teams', name: 'teams', config: { recipientUrls: { ops: url } } },
    secrets: [url, new URL(url).pathname],
    notification: { destination: { service: 'teams', serviceType: 'teams', recipient: 'ops' }, rendered: { message: 'Pod web-1 is ready', teams: { title: 'web-1' } } },
    templateBlock: { valid: { title: 'x', facts: '[]', potentialAction: '[]' }, invalid: { titel: 'x' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
