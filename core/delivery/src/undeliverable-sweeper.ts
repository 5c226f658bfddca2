import { HeraldError, systemClock, type BusPublisher, type BusSubscriber, type Clock, type Delivery, type Logger, type NotificationData, type Subscription } from '@herald/plugin-sdk';
import { DeliveryErrorCodes, StepAsideError } from './errors.ts';

/** How long a notification of a type no sink delivers waits before it is dead-lettered, by default. */
export const DEFAULT_UNDELIVERABLE_GRACE_MS = 60_000;

// A waiting notification is looked at again this often (or when its grace ends, if sooner).
const RECHECK_MS = 5_000;
/** How often the notification stream is looked at for service types that appeared, by default. */
export const DEFAULT_UNDELIVERABLE_SCAN_MS = 5_000;

export interface UndeliverableSweeperOptions {
  subscriber: BusSubscriber;
  /** Publishes the failed result that gives the notification's claim back. */
  publisher: BusPublisher;
  logger: Logger;
  /** Service types the sinks listed in herald.yaml deliver. */
  deliveredTypes: ReadonlySet<string>;
  /** The service types that have notifications on the bus now (core/bus: `Bus.notificationTypes`). */
  typesOnBus: () => Promise<readonly string[]>;
  /** How often `typesOnBus` is asked again. Default 5 s. */
  scanMs?: number;
  /** Age (since it was published) after which a notification no sink takes is dead-lettered. */
  graceMs?: number;
  clock?: Pick<Clock, 'now'>;
  /** Durable consumer per undelivered service type, shared by every process running the sink role: this + `-<type>`. Default `herald-undeliverable`. */
  durable?: string;
}

/**
 * Notifications nobody will deliver end in the dead letters instead of sitting on the bus forever: those
 * published for a service type no listed sink delivers (the config refuses such services at load, but a
 * notification published before a sink was removed from herald.yaml, or by another evaluator, stays). The
 * stream's subjects say which service types have notifications (`typesOnBus`, looked at every `scanMs`); each
 * type no listed sink delivers gets a durable consumer of its own, filtered on that type, which dead-letters
 * its notifications once they are older than the grace period (with their stream sequence, so `herald dlq
 * retry` puts them back once the sink is loaded), after publishing a failed result that gives their claim
 * back. Notifications of delivered types are never read here: a consumer of the whole stream cost a delivery,
 * a decode and an ack per notification sent, to let it go.
 */
export async function startUndeliverableSweeper(options: UndeliverableSweeperOptions): Promise<Subscription> {
  const { deliveredTypes, publisher, logger } = options;
  const graceMs = options.graceMs ?? DEFAULT_UNDELIVERABLE_GRACE_MS;
  const scanMs = options.scanMs ?? DEFAULT_UNDELIVERABLE_SCAN_MS;
  const clock = options.clock ?? systemClock;
  const durable = options.durable ?? 'herald-undeliverable';
  const loaded = [...deliveredTypes].sort().join(', ') || 'none';
  const swept = new Map<string, Subscription>();
  let stopped = false;
  const scan = async () => {
    for (const type of await options.typesOnBus()) {
      if (deliveredTypes.has(type) || swept.has(type) || stopped) continue;
      // Many may wait out their grace at once; they must not hold back the ones that only need dead-lettering.
      swept.set(type, await options.subscriber.subscribe('notifications', { durable: `${durable}-${type}`, filter: type, maxAckPending: 1_024, ordered: false }, handle));
      logger.info({ serviceType: type }, `notifications for service type "${type}", which no listed sink delivers, are on the bus: dead-lettered once ${graceMs / 1000} s old`);
    }
  };
  const handle = async (delivery: Delivery<NotificationData>) => {
    const n = delivery.event.data;
    const type = n.destination.serviceType;
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
  };
  // A scan that fails (the server restarting) is tried again at the next one; it never stops the sink role starting.
  const scanOrWarn = () => scan().catch((err: unknown) => logger.warn({ err }, 'cannot look at the notification stream for service types no sink delivers; trying again'));
  let scanning: Promise<void> = scanOrWarn();
  await scanning;
  let timer: NodeJS.Timeout | undefined;
  const later = () => {
    timer = setTimeout(() => {
      scanning = scanOrWarn();
      void scanning.then(() => stopped || later());
    }, scanMs);
    timer.unref();
  };
  later();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await scanning;
      await Promise.all([...swept.values()].map((s) => s.stop()));
    },
  };
}
