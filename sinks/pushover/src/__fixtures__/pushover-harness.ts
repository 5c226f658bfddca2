import type { NotificationData } from '@herald/plugin-sdk';
import { sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import pushover from '../pushover-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(pushover);
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification to `recipient` with the given rendered message. */
export const notification = (recipient: string, message: string): NotificationData => sampleNotificationTo('pushover', recipient, { message });
