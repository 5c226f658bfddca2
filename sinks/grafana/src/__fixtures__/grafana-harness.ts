import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import { manualClock, recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import grafana from '../grafana-sink.ts';
import { grafanaPluginConfigSchema, grafanaServiceConfigSchema, type GrafanaServiceConfig, type GrafanaServiceConfigInput } from '../grafana.config.ts';

export interface TestSink {
  handle: SinkHandle<GrafanaServiceConfig>;
  logger: RecordingLogger;
  /** Sends to service `grafana` configured with `service` (parsed as Herald would); `secrets` as Herald passes them. */
  send(notification: NotificationData, service: GrafanaServiceConfigInput, options?: { signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await grafana.init({ config: grafanaPluginConfigSchema.parse({}), logger, clock: manualClock(new Date('2026-01-01T12:00:00.750Z')), signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal, secrets } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'grafana', name: 'grafana', config: grafanaServiceConfigSchema.parse(service), ...(secrets ? { secrets } : {}) } }),
  };
}

/** A notification to `recipient` with the given rendered message. The sink's clock says 2026-01-01T12:00:00.750Z. */
export function notification(recipient: string, message: string, overrides: Partial<NotificationData> = {}): NotificationData {
  return sampleNotification({ destination: { serviceType: 'grafana', service: 'grafana', recipient }, rendered: { message }, ...overrides });
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
