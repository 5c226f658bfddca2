import { HeraldError, systemClock, type BusPublisher, type BusSubscriber, type Clock, type Delivery, type Logger, type NotificationData, type Subscription } from '@herald/plugin-sdk';
import { DeliveryErrorCodes, StepAsideError } from './errors.ts';

/** How long a notification of a type no sink delivers waits before it is dead-lettered, by default. */
export const DEFAULT_UNDELIVERABLE_GRACE_MS = 60_000;

// A waiting notification is looked at again this often (or when its grace ends, if sooner).
const RECHECK_MS = 5_000;

export interface UndeliverableSweeperOptions {
  subscriber: BusSubscriber;
  /** Publishes the failed result that gives the notification's claim back. */
  publisher: BusPublisher;
  logger: Logger;
  /** Service types the sinks listed in herald.yaml deliver. */
  deliveredTypes: ReadonlySet<string>;
  /** Age (since it was published) after which a notification no sink takes is dead-lettered. */
  graceMs?: number;
  clock?: Pick<Clock, 'now'>;
  /** Durable consumer shared by every process running the sink role. Default `herald-undeliverable`. */
  durable?: string;
}

/**
 * Notifications nobody will deliver end in the dead letters instead of sitting on the bus forever: those
 * published for a service type no listed sink delivers (the config refuses such services at load, but a
 * notification published before a sink was removed from herald.yaml, or by another evaluator, stays). A
 * durable consumer of its own reads every notification, lets those of delivered types go at once, and
 * dead-letters the others once they are older than the grace period (with their stream sequence, so
 * `herald dlq retry` puts them back once the sink is loaded), after publishing a failed result that gives
 * their claim back.
 */
export async function startUndeliverableSweeper(options: UndeliverableSweeperOptions): Promise<Subscription> {
  const { deliveredTypes, publisher, logger } = options;
  const graceMs = options.graceMs ?? DEFAULT_UNDELIVERABLE_GRACE_MS;
  const clock = options.clock ?? systemClock;
  const loaded = [...deliveredTypes].sort().join(', ') || 'none';
  // Many may wait out their grace at once; they must not hold back the ones that only need an ack.
  const subscription = { durable: options.durable ?? 'herald-undeliverable', maxAckPending: 1_024, ordered: false };
  return options.subscriber.subscribe('notifications', subscription, async (delivery: Delivery<NotificationData>) => {
    const n = delivery.event.data;
    const type = n.destination.serviceType;
    if (deliveredTypes.has(type)) return;
    const age = clock.now().getTime() - Date.parse(delivery.event.time);
    // A sink listed in a newer herald.yaml may be starting: give it the grace period.
    if (!(age >= graceMs)) throw new StepAsideError(`notification for service type "${type}" waits ${graceMs} ms for a sink`, Math.min(RECHECK_MS, Math.max(graceMs - (Number.isFinite(age) ? age : 0), 100)));
    const message = `no sink delivers service type "${type}" (the listed sinks deliver: ${loaded}); trigger ${n.trigger} to service ${n.destination.service} for ${n.ref.kind} ${n.ref.namespace ? `${n.ref.namespace}/` : ''}${n.ref.name} waited ${Math.round(age / 1000)} s. Add the sink to herald.yaml's plugins, then \`herald dlq retry\` it`;
    await publisher.deliveryResult({
      idempotencyKey: n.idempotencyKey,
      claimRevision: n.claimRevision,
      stateKey: n.stateKey,
      trigger: n.trigger,
      destination: n.destination,
      ref: n.ref,
      succeeded: false,
      attempts: 1,
      error: { code: DeliveryErrorCodes.noSink, message, retryable: false },
    });
    logger.warn({ trigger: n.trigger, destination: n.destination, stateKey: n.stateKey }, message);
    throw new HeraldError(DeliveryErrorCodes.noSink, message, { retryable: false });
  });
}
