import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import { systemClock, type NotificationData, type SinkHandle } from '@herald/plugin-sdk';
import github from '../github-sink.ts';
import { githubPluginConfigSchema, githubServiceConfigSchema, type GithubServiceConfig, type GithubServiceConfigInput } from '../github.config.ts';

export interface TestSink {
  handle: SinkHandle<GithubServiceConfig>;
  logger: RecordingLogger;
  send(notification: NotificationData, service: GithubServiceConfigInput, options?: { name?: string; signal?: AbortSignal }): Promise<void>;
}

export async function startSink(config: Record<string, unknown> = {}): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await github.init({ config: githubPluginConfigSchema.parse(config), logger, clock: systemClock, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { name = 'github', signal = new AbortController().signal } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'github', name, config: githubServiceConfigSchema.parse(service) } }),
  };
}

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
