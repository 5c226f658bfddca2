import { trace, type Tracer } from '@opentelemetry/api';
import type { Logger, NotificationData, SinkHandle } from '@herald/plugin-sdk';
import webhook from '../webhook-sink.ts';
import { webhookPluginConfigSchema, webhookServiceConfigSchema, type WebhookServiceConfig, type WebhookServiceConfigInput } from '../webhook.config.ts';

/** The error a promise rejected with (fails when it resolved): the kit's `rejectionOf`. */
export { rejectionOf as rejection } from '@herald/plugin-testing';

/** A logger that keeps every line, to check what would reach the logs. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push(JSON.stringify({ level, obj, msg }));
    };
  const logger = { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

export interface TestSink {
  handle: SinkHandle<WebhookServiceConfig>;
  logger: ReturnType<typeof recordingLogger>;
  /** Sends to service `name` configured with `service` (parsed as Herald would); `secrets`: the values it took from the Secret. */
  send(notification: NotificationData, service: WebhookServiceConfigInput, options?: { name?: string; signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(options: Record<string, unknown> = {}, tracer: Tracer = trace.getTracer('test')): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await webhook.init({ config: webhookPluginConfigSchema.parse(options), logger, tracer, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { name = 'webhook', signal = new AbortController().signal, secrets = [] } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'webhook', name, config: webhookServiceConfigSchema.parse(service), secrets } }),
  };
}

/** A notification for service `service` with the given rendered template. */
export function notification(rendered: Record<string, unknown>, overrides: Partial<NotificationData> = {}): NotificationData {
  return {
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 'ready',
    destination: { serviceType: 'webhook', service: 'webhook', recipient: '' },
    stateKey: 'on-ready:[0].abc:webhook:',
    idempotencyKey: 'f3b2c1d0e9a8',
    claimRevision: 7,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-1' },
    rendered,
    ...overrides,
  };
}

/** Every error in a cause chain. */
export function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}
