import { trace, type Tracer } from '@opentelemetry/api';
import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import email from '../email-sink.ts';
import { emailPluginConfigSchema, emailServiceConfigSchema, type EmailServiceConfig, type EmailServiceConfigInput } from '../email.config.ts';

/** The error a promise rejected with (fails when it resolved): the kit's `rejectionOf`. */
export { rejectionOf as rejection } from '@herald/plugin-testing';

export interface TestSink {
  handle: SinkHandle<EmailServiceConfig>;
  logger: RecordingLogger;
  /** Sends to service `name` configured with `service` (parsed as Herald would). */
  send(notification: NotificationData, service: EmailServiceConfigInput, options?: { name?: string; signal?: AbortSignal }): Promise<void>;
}

export async function startSink(options: Record<string, unknown> = {}, tracer: Tracer = trace.getTracer('test')): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await email.init({ config: emailPluginConfigSchema.parse(options), logger, tracer, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { name = 'email', signal = new AbortController().signal } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'email', name, config: emailServiceConfigSchema.parse(service) } }),
  };
}

/** A notification to `recipient` with the given rendered template. */
export function notification(recipient: string, rendered: Record<string, unknown>, overrides: Partial<NotificationData> = {}): NotificationData {
  return sampleNotification({ destination: { serviceType: 'email', service: 'email', recipient }, stateKey: `on-pod-ready:[0].c3VjY2Vzcw:email:${recipient}`, rendered, ...overrides });
}

