import type { NotificationData } from '@herald/plugin-sdk';
import { sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import pagerduty from '../pagerduty-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(pagerduty);
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification of template `app-degraded` to `recipient` with the given `pagerduty` block. */
export function notification(recipient: string, block: unknown, overrides: Partial<NotificationData> = {}): NotificationData {
  return sampleNotificationTo('pagerduty', recipient, { message: 'web is degraded', pagerduty: block }, { ...DEGRADED, ...overrides });
}

// What the tests' expectations name: Argo's dedup key comes from the idempotency key.
const DEGRADED: Partial<NotificationData> = { template: 'app-degraded', idempotencyKey: 'f3b2c1d0e9a8', observedAt: '2026-12-04T10:00:00.000Z' };
