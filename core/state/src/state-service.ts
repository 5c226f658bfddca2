import type { KubeClient } from '@herald/core-kube';
import { decodeClaim, encodeClaim } from '@herald/core-evaluator';
import type { BusSubscriber, DeliveryResultData, Logger, StateStore, Subscription } from '@herald/plugin-sdk';
import { AnnotationMirror } from './annotation-mirror.ts';

export interface StateServiceOptions {
  subscriber: BusSubscriber;
  state: StateStore;
  logger: Logger;
  /** Feed of objects whose state changed (the bus's state-bucket consumer). */
  stateChanges: (durable: string, handler: (objectUid: string) => Promise<void>) => Promise<Subscription>;
  /** Absent: no annotation mirror (no cluster, or turned off). */
  kube: KubeClient | undefined;
  annotationPrefix: string;
  coalesceMs: number;
  now?: () => number;
}

/**
 * The state role. Delivery results settle claims: a success marks the claim `sent`, a final failure
 * deletes it so the condition fires again. Every change of an object's claims is mirrored into its
 * `notified` annotation.
 */
export async function startStateService(options: StateServiceOptions): Promise<{ stop(): Promise<void> }> {
  const { state, logger } = options;
  const now = options.now ?? (() => Date.now());
  const subscriptions: Subscription[] = [];
  const mirror = options.kube
    ? new AnnotationMirror({ state, kube: options.kube, logger, annotation: `notified.${options.annotationPrefix}`, coalesceMs: options.coalesceMs })
    : undefined;
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
    const uid = result.ref.uid;
    const entry = await state.get(uid, result.stateKey);
    // The claim was cleared (condition went false) or made again since: this result is about an old one.
    if (!entry || entry.revision !== result.claimRevision) return;
    const claim = decodeClaim(entry.value);
    if (result.succeeded) {
      await state.update(uid, result.stateKey, encodeClaim({ status: 'sent', at: claim.at, ...(claim.rv ? { rv: claim.rv } : {}) }), entry.revision);
    } else {
      await state.delete(uid, result.stateKey, entry.revision);
      logger.warn(
        { object: `${result.ref.namespace ?? ''}/${result.ref.name}`, stateKey: result.stateKey, error: result.error, at: now() },
        'delivery failed for good; the claim is released so the condition fires again',
      );
    }
  }
}
