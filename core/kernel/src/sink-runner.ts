import { DeliveryError, type BusPublisher, type BusSubscriber, type Logger, type SinkHandle, type Subscription } from '@herald/plugin-sdk';
import { PluginError } from './errors.ts';
import { callPlugin } from './plugins/plugin-call.ts';

export interface SinkRunnerOptions {
  pluginId: string;
  serviceTypes: readonly string[];
  handle: SinkHandle;
  subscriber: BusSubscriber;
  publisher: BusPublisher;
  logger: Logger;
  callTimeoutMs: number;
  maxDeliver: number;
}

/**
 * Feeds a sink the notifications of its service types from durable consumers shared by every Herald
 * replica (`herald-sink-<type>`), and publishes one delivery result per final outcome. The message is
 * acknowledged only after `send` resolved; failures are redelivered with backoff or dead-lettered.
 */
export async function startSinkRunner(options: SinkRunnerOptions): Promise<Subscription[]> {
  const { pluginId, handle, publisher, logger, maxDeliver } = options;
  const subscriptions: Subscription[] = [];
  for (const serviceType of options.serviceTypes) {
    subscriptions.push(
      await options.subscriber.subscribe('notifications', { durable: `herald-sink-${serviceType}`, filter: serviceType, maxDeliver }, async (delivery) => {
        const notification = delivery.event.data;
        const attempt = delivery.deliveryCount;
        const result = { idempotencyKey: notification.idempotencyKey, stateKey: notification.stateKey, trigger: notification.trigger, destination: notification.destination, ref: notification.ref, attempts: attempt };
        try {
          await callPlugin(pluginId, `send to ${notification.destination.service}`, options.callTimeoutMs, (signal) => handle.send(notification, { attempt, signal }));
        } catch (err) {
          const error = err as PluginError;
          const final = !error.retryable || attempt >= maxDeliver;
          if (final) {
            await publisher.deliveryResult({ ...result, succeeded: false, error: { code: error.code, message: error.message, retryable: error.retryable } });
          }
          logger.warn({ err, attempt, final, stateKey: notification.stateKey }, 'delivery failed');
          // Keep the sink's Retry-After for the redelivery delay.
          const cause = error.cause;
          throw cause instanceof DeliveryError ? new DeliveryError(error.message, { cause: error, retryable: cause.retryable, ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }) }) : error;
        }
        await publisher.deliveryResult({ ...result, succeeded: true });
      }),
    );
  }
  return subscriptions;
}
