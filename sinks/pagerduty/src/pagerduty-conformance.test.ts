import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakePagerDuty, type FakePagerDuty, type PagerDutyBehaviour } from '@herald/test-harness';
import pagerduty from './pagerduty-sink.ts';

let pd: FakePagerDuty;
beforeAll(async () => {
  pd = await startFakePagerDuty();
});
afterAll(() => pd?.close());

it('passes the sink conformance kit against a local PagerDuty REST API', async () => {
  let permanent = false;
  let sends = 0;
  const behaviours: Record<Exclude<RemoteFailure, 'permanent'>, (retryAfterMs?: number) => PagerDutyBehaviour> = {
    retryable: () => 'http-500',
    throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
    hang: () => 'hang',
  };
  const report = await runSinkConformance({
    plugin: pagerduty,
    service: { type: 'pagerduty', name: 'pagerduty', config: { token: pd.token, from: 'oncall@example.com', apiURL: pd.url } },
    secrets: [pd.token],
    notification: {
      destination: { service: 'pagerduty', serviceType: 'pagerduty', recipient: 'PSERV01' },
      // The permanent failure is PagerDuty's own: an urgency it does not know. Each send is a new
      // notification (a new idempotency key), so no delivery meets the open incident of an earlier one.
      get idempotencyKey() {
        return `conformance-${++sends}`;
      },
      get rendered() {
        return { message: 'x', pagerduty: { title: 'web is degraded', urgency: permanent ? 'urgent' : 'high' } };
      },
    },
    templateBlock: { valid: { title: 't', priorityId: 'P1' }, invalid: { title: 't', priority: 'P1' } },
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
