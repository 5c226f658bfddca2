import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import webex from '../webex-sink.ts';
import { webexPluginConfigSchema, webexServiceConfigSchema, type WebexServiceConfig, type WebexServiceConfigInput } from '../webex.config.ts';

export interface TestSink {
  handle: SinkHandle<WebexServiceConfig>;
  logger: RecordingLogger;
  /** Sends to service `webex` configured with `service` (parsed as Herald would); `secrets` as Herald passes them. */
  send(notification: NotificationData, service: WebexServiceConfigInput, options?: { signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await webex.init({ config: webexPluginConfigSchema.parse({}), logger, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal, secrets } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'webex', name: 'webex', config: webexServiceConfigSchema.parse(service), ...(secrets ? { secrets } : {}) } }),
  };
}

/** A notification to `recipient` with the given rendered message. */
export function notification(recipient: string, message: string): NotificationData {
  return sampleNotification({ destination: { serviceType: 'webex', service: 'webex', recipient }, rendered: { message } });
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
