import { sampleNotification, startTestSink } from '@herald/plugin-testing';
import type { NotificationData } from '@herald/plugin-sdk';
import github from '../github-sink.ts';

/** The error a promise rejected with (fails when it resolved): the kit's `rejectionOf`. */
export { rejectionOf as rejection } from '@herald/plugin-testing';

export const startSink = (config: Record<string, unknown> = {}) => startTestSink(github, { pluginConfig: config });
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification whose rendered github block reports on acme/web at abc123 (plus `block`). */
export function notification(block: Record<string, unknown>, message = 'Application web is Synced'): NotificationData {
  return sampleNotification({
    destination: { serviceType: 'github', service: 'github', recipient: '' },
    rendered: { message, github: { repoURLPath: 'https://github.com/acme/web.git', revisionPath: 'abc123', ...block } },
  });
}

