import {
  DeliveryError,
  HeraldError,
  type BusPublisher,
  type BusSubscriber,
  type Delivery,
  type Logger,
  type ObjectRef,
  type ResourceEventData,
  type StateEntry,
  type StateStore,
  type Subscription,
} from '@herald/plugin-sdk';
import { variableName, type NotificationConfig } from '@herald/core-notification-config';
import { decodeClaim, decodeMarker, encodeClaim, encodeMarker, OBJECT_MARKER_KEY, olderVersion, type ObjectMarker } from '../dedup/claim.ts';
import { parseNotifiedAnnotation } from '../dedup/notified-state.ts';
import { idempotencyKey } from '../dedup/state-keys.ts';
import { EvaluatorErrorCodes } from '../errors.ts';
import { Evaluator, type Decision } from '../evaluate/evaluator.ts';
import type { HostClock } from '../host/index.ts';

export interface EvaluatorWorkerOptions {
  subscriber: BusSubscriber;
  publisher: BusPublisher;
  state: StateStore;
  logger: Logger;
  /** The notification config in force (it may change between events). */
  config: () => NotificationConfig | undefined;
  annotationPrefix: string;
  /** Variable names by kind (`Application`) or group/kind (`argoproj.io/Application`). */
  variables: Readonly<Record<string, string>>;
  clock?: HostClock;
  /** Durable consumer shared by every evaluator. Default `herald-evaluator`. */
  durable?: string;
}

/**
 * The evaluator role: for each resource event, decides per (condition, destination) against the claims in
 * the state bucket, claims with compare-and-set, renders and publishes the notifications, and clears the
 * claims of conditions that turned false. The event is acknowledged only after all of that.
 */
export async function startEvaluatorWorker(options: EvaluatorWorkerOptions): Promise<Subscription> {
  const { publisher, state, logger, annotationPrefix } = options;
  const now = () => Math.floor((options.clock?.now() ?? Date.now()) / 1000);
  const notifiedKey = `notified.${annotationPrefix}`;
  // One Evaluator per (config, variable name): configs are immutable, so a reload simply makes new ones.
  let cachedFor: NotificationConfig | undefined;
  const evaluators = new Map<string, Evaluator>();
  const evaluatorFor = (config: NotificationConfig, varName: string): Evaluator => {
    if (config !== cachedFor) {
      evaluators.clear();
      cachedFor = config;
    }
    let e = evaluators.get(varName);
    if (!e) evaluators.set(varName, (e = new Evaluator(config, { varName, annotationPrefix, ...(options.clock ? { clock: options.clock } : {}) })));
    return e;
  };

  // One event out at a time. With more, a process that dies leaves its unacknowledged events to come back
  // after the ack wait, while the replacement (or another replica) is handed the later events of the same
  // objects at once: an object's Running evaluated before its Pending loses the edge, a stale Running after
  // the next Pending sends it twice (test/e2e/src/faults, kill-evaluator). JetStream redelivers before it
  // delivers anything new only while nothing else is outstanding.
  const ordered = { durable: options.durable ?? 'herald-evaluator', maxAckPending: 1 };
  return options.subscriber.subscribe('events', ordered, async (delivery: Delivery<ResourceEventData>) => {
    const { action, ref, object, resourceVersion } = delivery.event.data;
    const config = options.config();
    if (!config) throw new DeliveryError('no notification config is loaded yet', { retryable: true, retryAfterMs: 5_000 });
    const evaluator = evaluatorFor(config, variableName(ref, options.variables));
    const extra = { herald: { action } };
    const plan = evaluator.plan(object, extra);
    logger.debug({ object: describe(ref), action, resourceVersion, event: delivery.event.id, delivery: delivery.deliveryCount, subject: delivery.subject, decisions: plan.decisions.map((d) => `${d.stateKey}=${d.triggered}`) }, 'evaluated');
    for (const problem of plan.problems) logger.warn({ object: describe(ref), problem }, 'subscription or condition not usable');
    if (plan.decisions.length === 0) return;

    let marker = await adoptOnFirstSight(ref, object);
    for (const decision of plan.decisions) {
      if (decision.triggered) await claimAndPublish(decision, delivery.event.id);
      else if (!decision.oncePer) await clear(decision);
    }

    async function claimAndPublish(d: Decision, eventId: string): Promise<void> {
      const existing = await state.get(ref.uid, d.stateKey);
      let revision: number | undefined;
      if (!existing) {
        // An older state than one that already released a claim of this object: the server lost an
        // acknowledgement and redelivers what was evaluated before. Claiming now would send it again.
        if (olderVersion(resourceVersion, marker.value.released)) return stale(d, marker.value.released!);
        revision = await state.create(ref.uid, d.stateKey, encodeClaim({ status: 'pending', at: now(), event: eventId, rv: resourceVersion }));
        // Another evaluator claimed it first: it sends.
        if (revision === undefined) return;
      } else {
        const claim = decodeClaim(existing.value);
        // This event made the claim and is back (its first handling died before the ack): publish again;
        // the bus drops the copy if the first publish got through.
        if (claim.status !== 'pending' || claim.event !== eventId) return;
        revision = existing.revision;
      }
      let rendered;
      try {
        rendered = evaluator.render(d.condition.templates, object, d.destination, false, extra);
      } catch (err) {
        await state.delete(ref.uid, d.stateKey, revision);
        throw new HeraldError(EvaluatorErrorCodes.templateRuntime, `trigger ${d.trigger} for ${describe(ref)}: ${(err as Error).message}`, { cause: err, retryable: false });
      }
      await publisher.notification({
        trigger: d.trigger,
        conditionKey: d.condition.key,
        template: d.condition.templates.join(',') || '-',
        destination: d.destination,
        stateKey: d.stateKey,
        idempotencyKey: idempotencyKey(ref.uid, d.stateKey),
        claimRevision: revision,
        ref,
        rendered,
      });
      logger.info({ object: describe(ref), trigger: d.trigger, destination: d.destination, stateKey: d.stateKey }, 'notification published');
    }

    async function clear(d: Decision): Promise<void> {
      // Compare-and-set: the state role may settle the claim (pending → sent) between the read and the
      // delete. Giving up then would leave the claim, and the condition's next edge would send nothing.
      for (;;) {
        const existing = await state.get(ref.uid, d.stateKey);
        if (!existing) return;
        const claimedAt = decodeClaim(existing.value).rv;
        // A newer state made this claim: this one is a stale redelivery and may not release it.
        if (olderVersion(resourceVersion, claimedAt)) return stale(d, claimedAt!);
        // The watermark first: once the claim is gone, older states of the object must not claim again.
        marker = await raiseWatermark(ref, marker, resourceVersion);
        if (await state.delete(ref.uid, d.stateKey, existing.revision)) return;
      }
    }

    function stale(d: Decision, newer: string): void {
      logger.info(
        { object: describe(ref), trigger: d.trigger, stateKey: d.stateKey, resourceVersion, newer },
        'an older state of the object came again after a newer one was evaluated; ignored',
      );
    }
  });

  /** Records `rv` as the newest state that released a claim (compare-and-set; never lowers it). */
  async function raiseWatermark(ref: ObjectRef, current: MarkerEntry, rv: string): Promise<MarkerEntry> {
    for (let entry = current; ; ) {
      if (entry.value.released !== undefined && !olderVersion(entry.value.released, rv)) return entry;
      const value: ObjectMarker = { ...entry.value, released: rv };
      const revision = await state.update(ref.uid, OBJECT_MARKER_KEY, encodeMarker(value), entry.revision);
      if (revision !== undefined) return { value, revision };
      // Another writer changed the marker: read it again.
      entry = await readMarker(ref);
    }
  }

  /** The object's marker; absent (the object's state was purged) or unreadable, a fresh one is written. */
  async function readMarker(ref: ObjectRef, known?: StateEntry): Promise<MarkerEntry> {
    for (let entry = known ?? (await state.get(ref.uid, OBJECT_MARKER_KEY)); ; entry = await state.get(ref.uid, OBJECT_MARKER_KEY)) {
      const value = entry ? decodeMarker(entry.value) : undefined;
      if (entry && value) return { value, revision: entry.revision };
      const fresh: ObjectMarker = { ref };
      const revision = entry ? await state.update(ref.uid, OBJECT_MARKER_KEY, encodeMarker(fresh), entry.revision) : await state.create(ref.uid, OBJECT_MARKER_KEY, encodeMarker(fresh));
      if (revision !== undefined) return { value: fresh, revision };
    }
  }

  /**
   * The first time Herald sees an object, the keys of an Argo `notified` annotation on it become claims, so
   * switching from Argo sends nothing twice. Afterwards the annotation is only our mirror and is not read.
   */
  async function adoptOnFirstSight(ref: ObjectRef, object: Readonly<Record<string, unknown>>): Promise<MarkerEntry> {
    const seen = await state.get(ref.uid, OBJECT_MARKER_KEY);
    if (seen) return readMarker(ref, seen);
    const annotations = (object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    const value = annotations?.[notifiedKey];
    const { state: notified, problem } = parseNotifiedAnnotation(typeof value === 'string' ? value : undefined);
    if (problem) logger.warn({ object: describe(ref), problem }, `the ${notifiedKey} annotation is partly unreadable`);
    for (const [key, at] of notified) await state.create(ref.uid, key, encodeClaim({ status: 'adopted', at }));
    if (notified.size) logger.info({ object: describe(ref), keys: notified.size }, `adopted the ${notifiedKey} annotation`);
    return readMarker(ref);
  }
}

interface MarkerEntry {
  value: ObjectMarker;
  revision: number;
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
