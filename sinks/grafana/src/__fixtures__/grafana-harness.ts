import type { NotificationData } from '@herald/plugin-sdk';
import { manualClock, sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import grafana from '../grafana-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(grafana, { deps: { clock: manualClock(new Date('2026-01-01T12:00:00.750Z')) } });
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification to `recipient` with the given rendered message. The sink's clock says 2026-01-01T12:00:00.750Z. */
export const notification = (recipient: string, message: string, overrides: Partial<NotificationData> = {}): NotificationData => sampleNotificationTo('grafana', recipient, { message }, overrides);
