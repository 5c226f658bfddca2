import { systemClock, type Logger, type NotificationData, type PluginStore, type SinkHandle, type StoreEntry } from '@herald/plugin-sdk';
import slack from '../slack-sink.ts';
import { slackPluginConfigSchema, slackServiceConfigSchema, type SlackServiceConfig, type SlackServiceConfigInput } from '../slack.config.ts';

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

/** A PluginStore in memory with the NATS KV semantics (revisions, compare-and-set), for unit tests. */
export function memoryStore(): PluginStore {
  const keys = new Map<string, StoreEntry>();
  let revision = 0;
  return {
    get: async (key) => keys.get(key),
    async create(key, value) {
      if (keys.has(key)) return undefined;
      keys.set(key, { value, revision: ++revision });
      return revision;
    },
    async update(key, value, expected) {
      if (keys.get(key)?.revision !== expected) return undefined;
      keys.set(key, { value, revision: ++revision });
      return revision;
    },
    async put(key, value) {
      keys.set(key, { value, revision: ++revision });
      return revision;
    },
    async delete(key, expected) {
      if (expected !== undefined && keys.get(key)?.revision !== expected) return false;
      keys.delete(key);
      return true;
    },
    entries: async () => new Map(keys),
  };
}

export interface TestSink {
  handle: SinkHandle<SlackServiceConfig>;
  logger: ReturnType<typeof recordingLogger>;
  /** Sends to service `name` configured with `service` (parsed as Herald would). */
  send(notification: NotificationData, service: SlackServiceConfigInput, options?: { name?: string; signal?: AbortSignal }): Promise<void>;
}

export async function startSink(options: { store?: PluginStore; config?: Record<string, unknown> } = {}): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await slack.init({
    config: slackPluginConfigSchema.parse(options.config ?? {}),
    logger,
    store: options.store ?? memoryStore(),
    clock: systemClock,
    signal: new AbortController().signal,
  });
  return {
    handle,
    logger,
    send: (notification, service, { name = 'slack', signal = new AbortController().signal } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'slack', name, config: slackServiceConfigSchema.parse(service) } }),
  };
}

/** A notification to `channel` with the given rendered template. */
export function notification(channel: string, rendered: Record<string, unknown>, overrides: Partial<NotificationData> = {}): NotificationData {
  return {
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 'ready',
    destination: { serviceType: 'slack', service: 'slack', recipient: channel },
    stateKey: `on-ready:[0].abc:slack:${channel}`,
    idempotencyKey: 'f3b2c1d0e9a8',
    claimRevision: 7,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-1' },
    rendered,
    ...overrides,
  };
}

