import type { NotificationData } from '@herald/plugin-sdk';
import { sampleNotificationTo, startTestSink } from '@herald/plugin-testing';
import rocketchat from '../rocketchat-sink.ts';

export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = () => startTestSink(rocketchat);
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification to room `recipient` with the given rendered message and `rocketchat` block. */
export const notification = (recipient: string, message: string, block?: Record<string, unknown>): NotificationData =>
  sampleNotificationTo('rocketchat', recipient, { message, ...(block ? { rocketchat: block } : {}) });
