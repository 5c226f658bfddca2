import { coreServices, defineSink, DeliveryError, isDeliveryError, maskErrorSecrets, untilAborted, serviceOptionsReader } from '@herald/plugin-sdk';
import { ClientPool } from './client-pool.ts';
import { pubsubError } from './errors.ts';
import { gcppubsubPluginConfigSchema, gcppubsubServiceConfigSchema, gcppubsubTemplateSchema } from './gcppubsub.config.ts';

/** The header-like attribute carrying the notification's idempotency key, for a subscriber to drop a resend. */
export const IDEMPOTENCY_ATTRIBUTE = 'herald-idempotency-key';

/**
 * Argo's gcppubsub service: the rendered message published to the topic (the recipient, else the
 * service's `topic`) with the template's attributes, through Google's official client, one attempt per
 * `send`. Beyond Argo: one client per service instead of one per notification, the idempotency key as an
 * attribute, and the API's refusals permanent with its text.
 */
export default defineSink({
  id: 'gcppubsub',
  description: "Publishes notifications to Google Cloud Pub/Sub topics, like Argo's gcppubsub service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['gcppubsub'],
  configSchema: gcppubsubPluginConfigSchema,
  serviceConfigSchema: gcppubsubServiceConfigSchema,
  templateSchema: gcppubsubTemplateSchema,
  // Pub/Sub's publish quota is per project and region in bytes (GBs a minute), far above a notifier's
  // rate: no default limit per destination.
  limits: {},
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const pool = new ClientPool();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('gcppubsub', gcppubsubServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `gcppubsub "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        const topicName = notification.destination.recipient || options.topic;
        if (!topicName) throw DeliveryError.permanent(`${what}: no topic (neither the subscription nor the service's topic option names one)`);
        const step = `${what}: publish to ${topicName}`;
        const block = (notification.rendered.gcppubsub ?? {}) as { attributes?: Record<string, unknown> };
        const attributes: Record<string, string> = {};
        for (const [name, value] of Object.entries(block.attributes ?? {})) attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
        attributes[IDEMPOTENCY_ATTRIBUTE] ??= `${notification.idempotencyKey}:${notification.claimRevision}`;
        const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';

        const timeoutMs = options.timeout ?? config.timeout;
        const timeout = AbortSignal.timeout(timeoutMs);
        const bound = AbortSignal.any([signal, stopping.signal, timeout]);
        const secrets = [...(service.secrets ?? [])];
        try {
          const topic = pool.topic(service.name, options, topicName, timeoutMs);
          const id = await untilAborted(topic.publishMessage({ data: Buffer.from(message, 'utf8'), attributes }), bound);
          logger.debug({ service: service.name, topic: topicName, messageId: id, stateKey: notification.stateKey }, 'gcppubsub message published');
        } catch (err) {
          if (isDeliveryError(err)) throw maskErrorSecrets(err, secrets);
          if (bound.aborted) {
            const reason = timeout.aborted && !signal.aborted && !stopping.signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : bound.reason;
            throw maskErrorSecrets(DeliveryError.aborted(step, reason), secrets);
          }
          throw maskErrorSecrets(pubsubError(step, err), secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('gcppubsub sink stopped', 'AbortError'));
          await pool.close();
        })();
        return stopped;
      },
    };
  },
});
