import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import rocketchat from '../rocketchat-sink.ts';
import { rocketchatPluginConfigSchema, rocketchatServiceConfigSchema, type RocketchatServiceConfig, type RocketchatServiceConfigInput } from '../rocketchat.config.ts';

export interface TestSink {
  handle: SinkHandle<RocketchatServiceConfig>;
  logger: RecordingLogger;
  /** Sends to service `rocketchat` configured with `service` (parsed as Herald would); `secrets` as Herald passes them. */
  send(notification: NotificationData, service: RocketchatServiceConfigInput, options?: { signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await rocketchat.init({ config: rocketchatPluginConfigSchema.parse({}), logger, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal, secrets } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'rocketchat', name: 'rocketchat', config: rocketchatServiceConfigSchema.parse(service), ...(secrets ? { secrets } : {}) } }),
  };
}

/** A notification to room `recipient` with the given rendered message and `rocketchat` block. */
export function notification(recipient: string, message: string, block?: Record<string, unknown>): NotificationData {
  return sampleNotification({ destination: { serviceType: 'rocketchat', service: 'rocketchat', recipient }, rendered: { message, ...(block ? { rocketchat: block } : {}) } });
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
