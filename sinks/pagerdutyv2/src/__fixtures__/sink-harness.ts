import type { NotificationData } from '@herald/plugin-sdk';
import { sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import pagerdutyv2 from '../pagerdutyv2-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(pagerdutyv2, { serviceName: 'pagerduty' });
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification of template `app-degraded` to `recipient` with the given `pagerdutyv2` block. */
export function notification(recipient: string, block: unknown, overrides: Partial<NotificationData> = {}): NotificationData {
  return sampleNotificationTo('pagerdutyv2', recipient, { message: 'web is degraded', pagerdutyv2: block }, { ...DEGRADED, ...overrides });
}

// What the tests' expectations name: Argo's dedup key comes from the idempotency key.
const DEGRADED: Partial<NotificationData> = { template: 'app-degraded', idempotencyKey: 'f3b2c1d0e9a8', observedAt: '2026-12-04T10:00:00.000Z' };
