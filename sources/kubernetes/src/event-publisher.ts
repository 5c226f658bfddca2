import type { BusPublisher, coreServices, DeadLetterReason, Logger, ResolvedDeps, ResourceEventData } from '@herald/plugin-sdk';
import { gvrString, type InformerEvent, type KubeObject } from '@herald/core-kube';
import { KubeSourceErrorCodes } from './errors.ts';
import type { ResourceConfig } from './kubernetes-source.config.ts';
import { MAX_OBJECT_DEPTH, objectDepth } from './object-depth.ts';
import { LAST_APPLIED, tombstone, withoutLastApplied } from './object-reductions.ts';
import { toResourceEvent } from './resource-event.ts';
import type { SourceMetrics } from './source-metrics.ts';

export interface EventPublishing {
  resource: ResourceConfig;
  publisher: BusPublisher;
  metrics: SourceMetrics;
  log: Logger;
  /** A refusal no retry can change (too large, not encodable); anything else is thrown, and the informer retries. */
  refusedForGood: (err: unknown) => boolean;
  /** Default MAX_OBJECT_DEPTH. */
  maxDepth?: number;
  /** Starts each event's trace: the `observe` span, parent of the bus publish. */
  tracer?: ResolvedDeps<{ tracer: typeof coreServices.tracer }>['tracer'];
}

/** Publishes one informer event inside an `observe <kind>` span: the root of the trace of every notification it causes. */
export function publishEvent(event: InformerEvent, options: EventPublishing): Promise<void> {
  if (!options.tracer) return publishObserved(event, options);
  const meta = event.object.metadata;
  const attributes = {
    'herald.object': meta?.namespace ? `${meta.namespace}/${meta.name}` : String(meta?.name),
    'k8s.resource.version': String(meta?.resourceVersion ?? ''),
    'herald.action': event.type,
    'herald.resource': gvrString(options.resource),
    ...(event.resync ? { 'herald.resync': true } : {}),
  };
  return options.tracer.startActiveSpan(`observe ${options.resource.kind}`, { attributes }, async (span) => {
    try {
      await publishObserved(event, options);
    } catch (err) {
      span.recordException(err as Error);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Publishes one informer event, and never holds up the ones after it for good: an object nested deeper
 * than Herald accepts, or one the bus refuses even without its last-applied-configuration annotation, goes
 * to the dead letters with the reason (its DELETED is published as a tombstone instead). Throws only what a
 * retry may get through (the bus down, or closing).
 */
async function publishObserved(event: InformerEvent, options: EventPublishing): Promise<void> {
  const { resource, publisher, metrics, log, refusedForGood } = options;
  const maxDepth = options.maxDepth ?? MAX_OBJECT_DEPTH;
  const attributes = { group: resource.group, version: resource.version, resource: resource.resource, action: event.type };
  // Delivery latency starts here (docs/reference/bus.md, `observedAt`).
  const data = { ...toResourceEvent(resource, event), observedAt: new Date().toISOString() };
  const what = describe(resource, data);

  const publish = async (object: KubeObject, reduction?: Reduction) => {
    // Read from the apiserver's list or watch by this process: the evaluator may trust its annotations on a first sight.
    const receipt = await publisher.resourceEvent({ ...data, object }, { readSinceStart: true });
    metrics.published.add(1, attributes);
    if (reduction) {
      metrics.reduced.add(1, { ...attributes, reduction });
      log.warn({ id: receipt.id, reduction }, `published ${event.type} of ${what} without ${reduction === 'tombstone' ? 'its body (a tombstone)' : `its ${LAST_APPLIED} annotation`}`);
    } else {
      log.debug({ id: receipt.id, duplicate: receipt.duplicate, finalStateUnknown: event.finalStateUnknown }, `published ${event.type} of ${data.ref.namespace ?? ''}/${data.ref.name}`);
    }
  };
  /** True once published; the bus's refusal when it refused for good. */
  const tryPublish = async (object: KubeObject, reduction?: Reduction): Promise<true | Error> => {
    try {
      await publish(object, reduction);
      return true;
    } catch (err) {
      if (!refusedForGood(err)) throw err;
      // Counted once per event: a reduced version refused too is the same event.
      if (!reduction) metrics.refused.add(1, attributes);
      return err as Error;
    }
  };
  const giveUp = async (why: DeadLetterReason, reason: 'depth' | 'refused') => {
    // A deletion must still reach the evaluator; which object it was is all it needs.
    if (event.type === 'DELETED' && (await tryPublish(tombstone(data.object), 'tombstone')) === true) return;
    try {
      const receipt = await publisher.deadLetter('events', { ...data, object: tombstone(data.object) }, why);
      metrics.deadLettered.add(1, { ...attributes, reason });
      log.warn({ id: receipt.id, code: why.code, uid: data.ref.uid, resourceVersion: data.resourceVersion }, `${event.type} not published, dead-lettered: ${why.reason}`);
    } catch (err) {
      if (!refusedForGood(err)) throw err;
      log.error({ err, code: why.code, uid: data.ref.uid, resourceVersion: data.resourceVersion }, `${event.type} neither published nor dead-lettered (the bus refused both): ${why.reason}`);
    }
  };

  // JSON.stringify and everything after it recurse: a deep object would throw on every retry, forever.
  const depth = objectDepth(data.object);
  if (depth > maxDepth) {
    return giveUp({ code: KubeSourceErrorCodes.objectTooDeep, reason: `${what} is nested ${depth} levels deep, more than the ${maxDepth} Herald accepts` }, 'depth');
  }
  let refusal = await tryPublish(data.object);
  if (refusal === true) return;
  const stripped = withoutLastApplied(data.object);
  if (stripped) {
    refusal = await tryPublish(stripped, 'last-applied-configuration');
    if (refusal === true) return;
  }
  const without = stripped ? ` (even without its ${LAST_APPLIED} annotation)` : '';
  return giveUp({ code: KubeSourceErrorCodes.objectRefused, reason: `the bus refused ${event.type} of ${what}${without}: ${refusal.message}` }, 'refused');
}

/** What part of the object an event was published without (the `reduction` attribute of the metric). */
type Reduction = 'last-applied-configuration' | 'tombstone';

/** `widgets.v1.example.com shop/cart (uid …, resourceVersion …)`. */
function describe(resource: ResourceConfig, data: ResourceEventData): string {
  const key = data.ref.namespace ? `${data.ref.namespace}/${data.ref.name}` : data.ref.name;
  return `${gvrString(resource)} ${key} (uid ${data.ref.uid}, resourceVersion ${data.resourceVersion})`;
}
