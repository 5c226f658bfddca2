import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakePagerDuty, type FakePagerDuty, type PagerDutyBehaviour } from '@herald/test-harness';
import pagerdutyv2 from './pagerdutyv2-sink.ts';

let pd: FakePagerDuty;
beforeAll(async () => {
  pd = await startFakePagerDuty();
});
afterAll(() => pd?.close());

it('passes the sink conformance kit against a local PagerDuty Events API v2', async () => {
  let permanent = false;
  const behaviours: Record<Exclude<RemoteFailure, 'permanent'>, (retryAfterMs?: number) => PagerDutyBehaviour> = {
    retryable: () => 'http-500',
    throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
    hang: () => 'hang',
  };
  const report = await runSinkConformance({
    plugin: pagerdutyv2,
    // The permanent failure is PagerDuty's own: an event without a summary is invalid.
    service: { type: 'pagerdutyv2', name: 'pagerduty', config: { serviceKeys: { ops: pd.routingKeys[0] }, apiURL: pd.url } },
    secrets: [pd.routingKeys[0]!],
    notification: {
      destination: { service: 'pagerduty', serviceType: 'pagerdutyv2', recipient: 'ops' },
      get rendered() {
        return { message: 'x', pagerdutyv2: { summary: permanent ? '' : 'web is degraded', severity: 'error', source: 'shop/web' } };
      },
    },
    templateBlock: { valid: { summary: 's', severity: 'info', source: 'x' }, invalid: { summary: 's', sevrity: 'info' } },
    remote: {
      reset() {
        permanent = false;
        pd.reset();
      },
      failNext(kind, options) {
        if (kind === 'permanent') permanent = true;
        else pd.behave(behaviours[kind](options?.retryAfterMs));
      },
      accepted: () => pd.accepted(),
    },
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
