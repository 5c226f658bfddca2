import { coreServices, defineSink, isDeliveryError, type NotificationData, DeliveryError, serviceOptionsReader } from '@herald/plugin-sdk';
import type { WebClient } from '@slack/web-api';
import { callError } from './errors.ts';
import { ClientPool } from './slack-client.ts';
import { buildMessage, type SlackMessage, type Threading } from './slack-message.ts';
import { slackPluginConfigSchema, slackServiceConfigSchema, slackTemplateSchema } from './slack.config.ts';
import { ThreadStore, type ThreadParent } from './thread-store.ts';

/** How long to wait for another replica to finish posting a thread's parent before trying again. */
const PARENT_PENDING_RETRY_MS = 1_000;

/**
 * Argo's slack service: `chat.postMessage` (and `chat.update` for a `groupingKey` thread's parent) with the
 * official Web API client, one attempt per `send`. Threads are durable: their parents live in the sink's
 * store (NATS KV), so a restart or another replica replies in the same thread. Slack's documented rate of
 * about one message per second per channel is the declared default limit.
 */
export default defineSink({
  id: 'slack',
  description: "Posts notifications to Slack channels, like Argo's slack service, with threads that survive restarts",
  sdkVersion: '^1.0.0',
  serviceTypes: ['slack'],
  configSchema: slackPluginConfigSchema,
  serviceConfigSchema: slackServiceConfigSchema,
  templateSchema: slackTemplateSchema,
  limits: { perSecond: 1, burst: 1 },
  deps: { logger: coreServices.logger, store: coreServices.store, clock: coreServices.clock },
  async init({ config, logger, store, clock }) {
    const clients = new ClientPool();
    const threads = new ThreadStore(store);
    // Aborted by stop(): later sends fail at once, calls in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('slack', slackServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `slack "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        const channel = notification.destination.recipient;
        if (!channel) throw DeliveryError.permanent(`${what}: no channel (the subscription names none, e.g. slack:alerts)`);
        const { message, threading } = buildMessage(notification, options);
        const bound = AbortSignal.any([signal, stopping.signal]);
        const call = <T>(method: string, run: (client: WebClient) => Promise<T>): Promise<T> =>
          clients.use(service.name, options, config.timeout, bound, run).catch((err: unknown) => {
            if (bound.aborted) throw DeliveryError.aborted(`${what}: ${method} to ${channel}`, bound.reason);
            if (isDeliveryError(err)) throw err;
            throw callError(`${what}: ${method} to ${channel}`, err);
          });
        const post = async (extra: Record<string, unknown>): Promise<ThreadParent> => {
          const answer = await call('chat.postMessage', (client) => client.chat.postMessage({ channel, ...message, ...extra } as Parameters<WebClient['chat']['postMessage']>[0]));
          return { ts: answer.ts ?? '', channel: answer.channel ?? channel };
        };
        const log = { service: service.name, channel, stateKey: notification.stateKey };

        if (!threading) {
          await post({});
          logger.debug(log, 'slack message posted');
          return;
        }
        await sendThreaded(notification, threading, message, { what, channel, post, call, log });
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('slack sink stopped', 'AbortError'));
          await clients.close();
        })();
        return stopped;
      },
    };

    /**
     * Argo's threading, durable: the first message of a grouping key in a channel becomes the parent (its
     * ts kept in the store); later ones reply in its thread (Post), reply and edit the parent
     * (PostAndUpdate), or only edit the parent (Update).
     */
    async function sendThreaded(
      notification: NotificationData,
      threading: Threading,
      message: SlackMessage,
      io: {
        what: string;
        channel: string;
        post: (extra: Record<string, unknown>) => Promise<ThreadParent>;
        call: <T>(method: string, run: (client: WebClient) => Promise<T>) => Promise<T>;
        log: Record<string, unknown>;
      },
    ): Promise<void> {
      const key = ThreadStore.key(notification.destination.service, io.channel, threading.groupingKey);
      const broadcast = threading.broadcast ? { reply_broadcast: true } : {};
      const state = await threads.read(key).catch((err: unknown) => {
        throw DeliveryError.transient(`${io.what}: cannot read the thread of grouping key "${threading.groupingKey}": ${(err as Error).message}`, { cause: err });
      });
      if (state.kind === 'parent') {
        const parent = state.parent;
        if (threading.policy !== 'Update') await io.post({ thread_ts: parent.ts, ...broadcast });
        if (threading.policy !== 'Post') {
          await io.call('chat.update', (client) => client.chat.update({ ...message, channel: parent.channel, ts: parent.ts, as_user: true } as Parameters<WebClient['chat']['update']>[0]));
        }
        logger.debug({ ...io.log, groupingKey: threading.groupingKey, policy: threading.policy, threadTs: parent.ts }, 'slack thread message sent');
        return;
      }

      const now = clock.now().getTime();
      if (state.kind === 'claimed' && now - state.since < config.parentClaimTimeout) {
        throw DeliveryError.transient(`${io.what}: the parent of grouping key "${threading.groupingKey}" in ${io.channel} is being posted by another sender`, { retryAfterMs: PARENT_PENDING_RETRY_MS });
      }
      const claim = await threads.claim(key, now, state.kind === 'claimed' ? state.revision : undefined).catch((err: unknown) => {
        throw DeliveryError.transient(`${io.what}: cannot claim the thread of grouping key "${threading.groupingKey}": ${(err as Error).message}`, { cause: err });
      });
      if (claim === undefined) {
        throw DeliveryError.transient(`${io.what}: another sender started the thread of grouping key "${threading.groupingKey}" in ${io.channel} first`, { retryAfterMs: PARENT_PENDING_RETRY_MS });
      }
      let parent: ThreadParent;
      try {
        // Argo posts the parent with the broadcast flag too; Slack ignores it outside a thread.
        parent = await io.post(broadcast);
      } catch (err) {
        await threads.release(key, claim).catch((releaseErr: unknown) => logger.warn({ ...io.log, err: (releaseErr as Error).message }, 'slack thread claim not released; it expires'));
        throw isDeliveryError(err) ? err : DeliveryError.transient(`${io.what}: ${(err as Error).message}`, { cause: err });
      }
      const settled = await threads.settle(key, claim, parent).catch((err: unknown) => {
        logger.warn({ ...io.log, groupingKey: threading.groupingKey, err: (err as Error).message }, 'slack thread parent posted but not recorded');
        return true;
      });
      if (!settled) logger.warn({ ...io.log, groupingKey: threading.groupingKey }, 'slack thread claim was taken over while its parent was posted');
      logger.debug({ ...io.log, groupingKey: threading.groupingKey, threadTs: parent.ts }, 'slack thread started');
    }
  },
});
