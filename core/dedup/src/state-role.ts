import type { KvStore } from '@herald/core-bus';
import type { KubeClient } from '@herald/core-kube';
import { systemClock, type BusSubscriber, type Clock, type DeliveryResultData, type Logger, type Subscription } from '@herald/plugin-sdk';
import { AnnotationMirror } from './annotation-mirror.ts';
import { Dedup } from './dedup.ts';

export interface StateRoleOptions {
  subscriber: BusSubscriber;
  /** The state bucket. */
  kv: KvStore;
  logger: Logger;
  /** Feed of objects whose claims changed (the bus's state-bucket consumer). */
  stateChanges: (durable: string, handler: (objectUid: string) => Promise<void>) => Promise<Subscription>;
  /** Absent: no annotation mirror (no cluster, or turned off). */
  kube: KubeClient | undefined;
  annotationPrefix: string;
  coalesceMs: number;
  clock?: Pick<Clock, 'now'>;
}

/**
 * The state role. Delivery results settle claims: a success marks the claim `sent`, a final failure
 * deletes it so the condition fires again. Every change of an object's claims is mirrored into its
 * `notified` annotation.
 */
export async function startStateRole(options: StateRoleOptions): Promise<{ stop(): Promise<void> }> {
  const { kv, logger, annotationPrefix } = options;
  const clock = options.clock ?? systemClock;
  const dedup = new Dedup({ kv, annotationPrefix, clock });
  const subscriptions: Subscription[] = [];
  const mirror = options.kube ? new AnnotationMirror({ kv, kube: options.kube, logger, annotationPrefix, coalesceMs: options.coalesceMs }) : undefined;
  try {
    subscriptions.push(await options.subscriber.subscribe('results', { durable: 'herald-state' }, async (delivery) => settle(delivery.event.data)));
    if (mirror) subscriptions.push(await options.stateChanges('herald-state-mirror', (uid) => mirror.sync(uid)));
  } catch (err) {
    await Promise.all(subscriptions.map((s) => s.stop()));
    throw err;
  }
  return {
    async stop() {
      await Promise.all(subscriptions.map((s) => s.stop()));
      mirror?.stop();
    },
  };

  async function settle(result: DeliveryResultData): Promise<void> {
    if ((await dedup.settle(result)) !== 'released') return;
    logger.warn(
      { object: `${result.ref.namespace ?? ''}/${result.ref.name}`, stateKey: result.stateKey, error: result.error, at: clock.now().getTime() },
      'delivery failed for good; the claim is released so the condition fires again',
    );
  }
}
