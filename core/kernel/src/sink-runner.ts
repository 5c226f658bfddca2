import {
  DeliveryError,
  isDeliveryError,
  isHeraldError,
  type BusPublisher,
  type BusSubscriber,
  type Delivery,
  type DeliveryResultData,
  type HeraldError,
  type Logger,
  type NotificationData,
  type ServiceInstance,
  type SinkHandle,
  type Subscription,
} from '@herald/plugin-sdk';
import { HandBackError } from '@herald/core-bus';
import type { ServiceEntry } from '@herald/core-evaluator';
import type { SinkConfig } from './config/engine-config.schema.ts';
import { backoffDelay } from './delivery/backoff.ts';
import { CIRCUIT_OPEN, SendFailedError, StepAsideError } from './delivery/delivery-errors.ts';
import { deliveryPolicy, type DeliveryPolicy } from './delivery/delivery-policy.ts';
import { DestinationLimiter, type Outcome } from './delivery/destination-limiter.ts';
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
  /** The engine config's `sink` section: attempts, backoff, rate limits, concurrency and breakers, per service type. */
  delivery: SinkConfig;
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
 *
 * Each destination (service, recipient) gets its own limits: a token bucket, a bound on sends in flight and
 * a circuit breaker. A notification its destination cannot take now steps aside (back to the bus, to come
 * again later, no attempt counted), so a slow or failing destination never holds up the others.
 */
export async function startSinkRunner(options: SinkRunnerOptions): Promise<Subscription[]> {
  const { pluginId, handle, publisher, logger } = options;
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
    const policy = deliveryPolicy(options.delivery, serviceType);
    const limiter = new DestinationLimiter(policy);
    const { maxDeliver, maxAckPending } = policy;
    subscriptions.push(
      await options.subscriber.subscribe('notifications', { durable: `herald-sink-${serviceType}`, filter: serviceType, maxDeliver, maxAckPending }, (delivery) =>
        deliver(delivery, serviceType, policy, limiter),
      ),
    );
  }

  async function deliver(delivery: Delivery<NotificationData>, serviceType: string, policy: DeliveryPolicy, limiter: DestinationLimiter): Promise<void> {
    const n = delivery.event.data;
    const attempt = delivery.deliveryCount;
    const result = { idempotencyKey: n.idempotencyKey, claimRevision: n.claimRevision, stateKey: n.stateKey, trigger: n.trigger, destination: n.destination, ref: n.ref, attempts: attempt };
    const where = `${serviceType}/${n.destination.service}/${n.destination.recipient}`;

    // Reports a failed attempt (a final one as a failed result) and hands the bus the delay before the next.
    const failed = async (error: HeraldError): Promise<never> => {
      const cause = error.cause;
      const final = !error.retryable || attempt >= policy.maxDeliver;
      if (final) {
        await report({ ...result, succeeded: false, error: { code: isHeraldError(cause) ? cause.code : error.code, message: error.message, retryable: error.retryable } });
      }
      logger.warn({ err: error, attempt, final, destination: where, stateKey: n.stateKey }, 'delivery failed');
      // The destination's Retry-After wins; otherwise this service type's backoff, with its jitter.
      const retryAfterMs = retryAfterOf(cause) ?? retryAfterOf(error) ?? backoffDelay(attempt, policy.backoff);
      throw new SendFailedError(isDeliveryError(cause) ? cause.code : error.code, error.message, { cause: error, retryable: error.retryable, retryAfterMs });
    };

    let service: ServiceInstance;
    try {
      service = serviceFor(n.destination.service, serviceType);
    } catch (err) {
      return failed(err as DeliveryError);
    }

    const admission = limiter.admit(`${n.destination.service}\u0000${n.destination.recipient}`);
    if (admission.kind === 'aside') {
      logger.debug({ destination: where, reason: admission.reason, delayMs: admission.delayMs, stateKey: n.stateKey }, 'notification stepped aside');
      throw new StepAsideError(`${where} is ${admission.reason}; back in ${admission.delayMs} ms`, admission.delayMs);
    }
    if (admission.kind === 'open') {
      const last = admission.lastError === undefined ? '' : `; last: ${admission.lastError}`;
      const message = `plugin "${pluginId}": not sent: ${where} is failing (circuit open after ${admission.failures} consecutive failures${last})`;
      // Counted as an attempt, as the send would have failed: the notification's retries are not spent any faster.
      return failed(new SendFailedError(CIRCUIT_OPEN, message, { retryable: true, retryAfterMs: Math.max(admission.retryInMs, backoffDelay(attempt, policy.backoff)) }));
    }

    const { permit, waitMs } = admission;
    if (waitMs > 0 && !(await sleepUnlessAborted(waitMs, options.shutdown))) {
      permit.done({ kind: 'called off' });
      throw new HandBackError(`send to ${where} called off by shutdown`);
    }
    try {
      await callPlugin(pluginId, `send to ${n.destination.service}`, options.callTimeoutMs, (signal) => handle.send(n, { attempt, signal, service }), { shutdown: options.shutdown });
    } catch (err) {
      const error = err as PluginError;
      // Interrupted by Herald's shutdown (the send gave up because its signal said so): the message
      // goes back to the bus, with no outcome to report. Any other failure is reported as usual.
      if (options.shutdown.aborted && causedBy(error, options.shutdown.reason)) {
        permit.done({ kind: 'neutral' });
        throw new HandBackError(`send to ${n.destination.service} interrupted by shutdown`, error);
      }
      permit.done(outcomeOf(error));
      return failed(error);
    }
    permit.done({ kind: 'success' });
    await report({ ...result, succeeded: true });
  }
}

/** What a failed send says of its destination: a Retry-After pauses it, other transient failures count toward its breaker. */
function outcomeOf(error: PluginError): Outcome {
  if (!error.retryable) return { kind: 'neutral' };
  const retryAfterMs = retryAfterOf(error.cause);
  if (retryAfterMs !== undefined) return { kind: 'throttled', retryAfterMs };
  return { kind: 'failure', error: error.message };
}

function retryAfterOf(err: unknown): number | undefined {
  return isDeliveryError(err) || err instanceof SendFailedError ? err.retryAfterMs : undefined;
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

/** Sleeps `ms`; resolves false at once if `signal` aborts first. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
