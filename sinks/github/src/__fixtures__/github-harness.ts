import { sampleNotification, startTestSink } from '@herald/plugin-testing';
import type { NotificationData } from '@herald/plugin-sdk';
import github from '../github-sink.ts';

export const startSink = (config: Record<string, unknown> = {}) => startTestSink(github, { pluginConfig: config });
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification whose rendered github block reports on acme/web at abc123 (plus `block`). */
export function notification(block: Record<string, unknown>, message = 'Application web is Synced'): NotificationData {
  return sampleNotification({
    destination: { serviceType: 'github', service: 'github', recipient: '' },
    rendered: { message, github: { repoURLPath: 'https://github.com/acme/web.git', revisionPath: 'abc123', ...block } },
  });
}

/** The error a promise rejected with (fails when it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { retryable?: boolean; retryAfterMs?: number; code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}
