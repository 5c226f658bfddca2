import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import pushover from '../pushover-sink.ts';
import { pushoverPluginConfigSchema, pushoverServiceConfigSchema, type PushoverServiceConfig, type PushoverServiceConfigInput } from '../pushover.config.ts';

export interface TestSink {
  handle: SinkHandle<PushoverServiceConfig>;
  logger: RecordingLogger;
  /** Sends to service `pushover` configured with `service` (parsed as Herald would); `secrets` as Herald passes them. */
  send(notification: NotificationData, service: PushoverServiceConfigInput, options?: { signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await pushover.init({ config: pushoverPluginConfigSchema.parse({}), logger, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal, secrets } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'pushover', name: 'pushover', config: pushoverServiceConfigSchema.parse(service), ...(secrets ? { secrets } : {}) } }),
  };
}

/** A notification to `recipient` with the given rendered message. */
export function notification(recipient: string, message: string): NotificationData {
  return sampleNotification({ destination: { serviceType: 'pushover', service: 'pushover', recipient }, rendered: { message } });
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
