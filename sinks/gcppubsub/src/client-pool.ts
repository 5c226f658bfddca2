import { PubSub, type Topic } from '@google-cloud/pubsub';
import type { GcppubsubServiceConfig } from './gcppubsub.config.ts';

/**
 * One PubSub client per configured service (its gRPC channel kept between publishes; Argo makes one per
 * notification) and one Topic handle per topic, publishing each message at once (no batching delay) with
 * the client's retries off: one `send` is one attempt. PUBSUB_EMULATOR_HOST, when set, points the client at
 * an emulator, as it does for Argo's Go client.
 */
export class ClientPool {
  readonly #entries = new Map<string, { key: string; pubsub: PubSub; topics: Map<string, Topic> }>();

  topic(service: string, options: GcppubsubServiceConfig, topicName: string, timeoutMs: number): Topic {
    const key = JSON.stringify([options.project, options.keyFile]);
    let entry = this.#entries.get(service);
    if (entry?.key !== key) {
      if (entry) void entry.pubsub.close().catch(() => undefined);
      entry = { key, pubsub: new PubSub({ projectId: options.project, ...(options.keyFile ? { keyFilename: options.keyFile } : {}) }), topics: new Map() };
      this.#entries.set(service, entry);
    }
    let topic = entry.topics.get(topicName);
    if (!topic) {
      topic = entry.pubsub.topic(topicName, {
        batching: { maxMessages: 1, maxMilliseconds: 0 },
        gaxOpts: { timeout: timeoutMs, retry: { retryCodes: [] } as never, maxRetries: 0 },
      });
      entry.topics.set(topicName, topic);
    }
    return topic;
  }

  async close(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((e) => e.pubsub.close().catch(() => undefined)));
  }
}
