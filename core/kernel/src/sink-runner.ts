import {
  DeliveryError,
  isDeliveryError,
  isHeraldError,
  type BusPublisher,
  type BusSubscriber,
  type DeliveryResultData,
  type Logger,
  type ServiceInstance,
  type SinkHandle,
  type Subscription,
} from '@herald/plugin-sdk';
import { HandBackError } from '@herald/core-bus';
import type { ServiceEntry } from '@herald/core-evaluator';
import type { PluginError } from './errors.ts';
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
  /** Aborted when the sink is being stopped (after its intake stopped); passed on to `send` in its signal. */
  shutdown: AbortSignal;
  /** The configured services of the notification config in force, by name; undefined before one loaded. */
  services: () => ReadonlyMap<string, ServiceEntry> | undefined;
}

/**
 * Feeds a sink the notifications of its service types from durable consumers shared by every Herald
 * replica (`herald-sink-<type>`). A notification is acknowledged once `send` resolved and never sent again
 * after that; failures are redelivered with backoff or dead-lettered. One delivery result is published per
 * final outcome.
 */
export async function startSinkRunner(options: SinkRunnerOptions): Promise<Subscription[]> {
  const { pluginId, handle, publisher, logger, maxDeliver } = options;
  const serviceFor = serviceLookup(options.services);
  // A result that cannot be published must not undo a delivery the remote side accepted.
  const report = async (data: DeliveryResultData) => {
    try {
      await publisher.deliveryResult(data);
    } catch (err) {
      logger.error({ err, stateKey: data.stateKey, succeeded: data.succeeded }, 'delivery result could not be published; the delivery outcome stands');
    }
  };
  const subscriptions: Subscription[] = [];
  try {
    for (const serviceType of options.serviceTypes) await subscribeType(serviceType);
  } catch (err) {
    // Do not leave the service types already subscribed running for a sink that failed to start.
    await Promise.all(subscriptions.map((s) => s.stop()));
    throw err;
  }
  return subscriptions;

  async function subscribeType(serviceType: string): Promise<void> {
    subscriptions.push(
      await options.subscriber.subscribe('notifications', { durable: `herald-sink-${serviceType}`, filter: serviceType, maxDeliver }, async (delivery) => {
        const n = delivery.event.data;
        const attempt = delivery.deliveryCount;
        const result = { idempotencyKey: n.idempotencyKey, claimRevision: n.claimRevision, stateKey: n.stateKey, trigger: n.trigger, destination: n.destination, ref: n.ref, attempts: attempt };
        try {
          const service = serviceFor(n.destination.service, serviceType);
          await callPlugin(pluginId, `send to ${n.destination.service}`, options.callTimeoutMs, (signal) => handle.send(n, { attempt, signal, service }), { shutdown: options.shutdown });
        } catch (err) {
          const error = err as PluginError;
          const cause = error.cause;
          // Interrupted by Herald's shutdown (the send gave up because its signal said so): the message
          // goes back to the bus, with no outcome to report. Any other failure is reported as usual.
          if (options.shutdown.aborted && causedBy(error, options.shutdown.reason)) {
            throw new HandBackError(`send to ${n.destination.service} interrupted by shutdown`, error);
          }
          const final = !error.retryable || attempt >= maxDeliver;
          if (final) {
            await report({ ...result, succeeded: false, error: { code: isHeraldError(cause) ? cause.code : error.code, message: error.message, retryable: error.retryable } });
          }
          logger.warn({ err, attempt, final, stateKey: n.stateKey }, 'delivery failed');
          // Keep the sink's Retry-After for the redelivery delay.
          throw isDeliveryError(cause)
            ? new DeliveryError(error.message, { cause: error, retryable: cause.retryable, ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }) })
            : error;
        }
        await report({ ...result, succeeded: true });
      }),
    );
  }
}

/**
 * The options of the service a notification goes to, from the notification config in force (secrets
 * stay off the bus: only the service's name travels with the notification).
 */
function serviceLookup(services: SinkRunnerOptions['services']) {
  return (name: string, serviceType: string): ServiceInstance => {
    const all = services();
    if (!all) throw new DeliveryError('no notification config is loaded yet', { retryable: true, retryAfterMs: 5_000 });
    const entry = all.get(name);
    // The config may be reloading with the service added: worth a few more tries before the dead-letter stream.
    if (!entry) throw new DeliveryError(`service "${name}" is not defined in the notification config`, { retryable: true });
    if (entry.type !== serviceType) throw new DeliveryError(`service "${name}" is of type ${entry.type}, not ${serviceType}`, { retryable: false });
    return { type: entry.type, name: entry.name, config: entry.config as Record<string, unknown> };
  };
}

/** True when `reason` (or an AbortError) is somewhere in the error's cause chain. */
function causedBy(err: unknown, reason: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e === reason || (e as Error).name === 'AbortError') return true;
  }
  return false;
}
