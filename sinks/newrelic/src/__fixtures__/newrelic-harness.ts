import type { NotificationData } from '@herald/plugin-sdk';
import { sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import newrelic from '../newrelic-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(newrelic);
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification to application `recipient` with the given rendered message and `newrelic` block. */
export const notification = (recipient: string, message: string, block?: Record<string, unknown>): NotificationData =>
  sampleNotificationTo('newrelic', recipient, { message, ...(block ? { newrelic: block } : {}) });
