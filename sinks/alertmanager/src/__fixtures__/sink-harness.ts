import type { NotificationData } from '@herald/plugin-sdk';
import { sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import alertmanager from '../alertmanager-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(alertmanager);
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification of template `app-degraded` with the given `alertmanager` block, observed at a fixed time (the alert's startsAt). */
export function notification(block: unknown, overrides: Partial<NotificationData> = {}): NotificationData {
  return sampleNotificationTo('alertmanager', '', { message: 'web is degraded', alertmanager: block }, { template: 'app-degraded', observedAt: '2026-12-04T10:00:00.000Z', ...overrides });
}
