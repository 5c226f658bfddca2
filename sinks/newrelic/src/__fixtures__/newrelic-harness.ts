import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import newrelic from '../newrelic-sink.ts';
import { newrelicPluginConfigSchema, newrelicServiceConfigSchema, type NewrelicServiceConfig, type NewrelicServiceConfigInput } from '../newrelic.config.ts';

export interface TestSink {
  handle: SinkHandle<NewrelicServiceConfig>;
  logger: RecordingLogger;
  /** Sends to service `newrelic` configured with `service` (parsed as Herald would); `secrets` as Herald passes them. */
  send(notification: NotificationData, service: NewrelicServiceConfigInput, options?: { signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await newrelic.init({ config: newrelicPluginConfigSchema.parse({}), logger, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal, secrets } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'newrelic', name: 'newrelic', config: newrelicServiceConfigSchema.parse(service), ...(secrets ? { secrets } : {}) } }),
  };
}

/** A notification to application `recipient` with the given rendered message and `newrelic` block. */
export function notification(recipient: string, message: string, block?: Record<string, unknown>): NotificationData {
  return sampleNotification({ destination: { serviceType: 'newrelic', service: 'newrelic', recipient }, rendered: { message, ...(block ? { newrelic: block } : {}) } });
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
