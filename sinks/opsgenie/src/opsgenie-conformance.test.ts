import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeOpsgenie, type FakeOpsgenie, type OpsgenieBehaviour } from '@herald/test-harness';
import opsgenie from './opsgenie-sink.ts';

let og: FakeOpsgenie;
beforeAll(async () => {
  og = await startFakeOpsgenie();
});
afterAll(() => og?.close());

it('passes the sink conformance kit against a local Opsgenie Alert API v2', async () => {
  let permanent = false;
  const behaviours: Record<Exclude<RemoteFailure, 'permanent'>, (retryAfterMs?: number) => OpsgenieBehaviour> = {
    retryable: () => 'http-500',
    throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
    hang: () => 'hang',
  };
  const report = await runSinkConformance({
    plugin: opsgenie,
    service: { type: 'opsgenie', name: 'opsgenie', config: { apiUrl: og.url, apiKeys: { shop: og.apiKeys.shop } } },
    secrets: [og.apiKeys.shop!],
    notification: {
      destination: { service: 'opsgenie', serviceType: 'opsgenie', recipient: 'shop' },
      // The permanent failure is Opsgenie's own: a priority it does not know is a 422.
      get rendered() {
        return { message: 'web is degraded', opsgenie: { description: 'd', priority: permanent ? 'P9' : 'P3' } };
      },
    },
    templateBlock: { valid: { description: 'd', tags: ['a'] }, invalid: { descripton: 'd' } },
    remote: {
      reset() {
        permanent = false;
        og.reset();
      },
      failNext(kind, options) {
        if (kind === 'permanent') permanent = true;
        else og.behave(behaviours[kind](options?.retryAfterMs));
      },
      accepted: () => og.accepted(),
    },
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
