import { context, SpanKind, trace, type SpanContext } from '@opentelemetry/api';
import type { DeadLetter, KvStore } from '@herald/core-bus';
import type { KubeClient } from '@herald/core-kube';
import { systemClock, type BusSubscriber, type Clock, type DeliveryResultData, type Logger, type Subscription } from '@herald/plugin-sdk';
import { AnnotationMirror, changesAnnotation, type ClaimChange } from './annotation-mirror.ts';
import { Dedup } from './dedup.ts';
import { removeDeliveredLetters } from './delivered-letters.ts';

export interface StateRoleOptions {
  subscriber: BusSubscriber;
  /** The state bucket. */
  kv: KvStore;
  logger: Logger;
  /** Feed of objects whose claims changed (the bus's state-bucket consumer). */
  stateChanges: (durable: string, handler: (objectUid: string, revision: number, change?: ClaimChange) => Promise<void>) => Promise<Subscription>;
  /** Absent: no annotation mirror (no cluster, or turned off). */
  kube: KubeClient | undefined;
  annotationPrefix: string;
  coalesceMs: number;
  /**
   * Absent: dead letters stay until an operator removes them. Else every `everyMs` the letters of notifications
   * delivered since they failed are removed (removeDeliveredLetters).
   */
  deadLetters?: { everyMs: number; letters(limit: number, after?: string): Promise<DeadLetter[]>; remove(letter: DeadLetter): Promise<number> };
  clock?: Pick<Clock, 'now'> & Partial<Pick<Clock, 'sleep'>>;
}

/**
 * The state role. Delivery results settle claims: a success marks the claim `sent`, a final failure
 * deletes it so the condition fires again. Every change of an object's claims is mirrored into its
 * `notified` annotation. Dead letters of notifications delivered since are removed (`deadLetters`).
 */
export async function startStateRole(options: StateRoleOptions): Promise<{ stop(): Promise<void> }> {
  const { kv, logger, annotationPrefix } = options;
  const clock = options.clock ?? systemClock;
  const dedup = new Dedup({ kv, annotationPrefix, clock });
  const subscriptions: Subscription[] = [];
  const tracer = trace.getTracer('@herald/core-dedup');
  // Settles whose annotation patch has not run yet, by object UID.
  const settled = new Map<string, SpanContext[]>();
  const mirror = options.kube ? new AnnotationMirror({ kv, kube: options.kube, logger, annotationPrefix, coalesceMs: options.coalesceMs }) : undefined;
  try {
    subscriptions.push(await options.subscriber.subscribe('results', { durable: 'herald-state' }, async (delivery) => settle(delivery.event.data)));
    if (mirror) {
      subscriptions.push(
        await options.stateChanges('herald-state-mirror', async (uid, revision, change) => {
          // A claim made (pending), or the marker of an object found without the annotation, leaves the
          // annotation as it is: no read of the claims, no patch.
          if (change && !changesAnnotation(change)) return;
          await mirrorTraced(mirror, uid, revision);
        }),
      );
    }
  } catch (err) {
    await Promise.all(subscriptions.map((s) => s.stop()));
    throw err;
  }
  const stopping = new AbortController();
  const sweeping = options.deadLetters ? sweepDeadLetters(options.deadLetters) : undefined;
  return {
    async stop() {
      stopping.abort(new Error('the state role stopped'));
      await Promise.all([...subscriptions.map((s) => s.stop()), sweeping]);
      mirror?.stop();
    },
  };

  async function sweepDeadLetters(deadLetters: NonNullable<StateRoleOptions['deadLetters']>): Promise<void> {
    const sleep = clock.sleep ?? systemClock.sleep;
    let after: string | undefined;
    for (;;) {
      try {
        await sleep(deadLetters.everyMs, stopping.signal);
      } catch {
        return; // stopped
      }
      try {
        ({ next: after } = await removeDeliveredLetters({ ...deadLetters, read: (uid, key) => dedup.read(uid, key), logger, ...(after ? { after } : {}) }));
      } catch (err) {
        if (stopping.signal.aborted) return;
        logger.warn({ err }, `cannot look for dead letters of notifications delivered since; trying again in ${deadLetters.everyMs / 1000} s`);
      }
    }
  }

  /**
   * The annotation patch goes into the trace of the delivery it records: a child of the (first) settle
   * waiting for it, linked to the other settles it covers (one patch can carry several). A change of claims no
   * settle caused (an evaluator's claim) is patched untraced.
   */
  function mirrorTraced(m: AnnotationMirror, uid: string, revision: number): Promise<void> {
    const waiting = settled.get(uid);
    if (!waiting) return m.sync(uid, revision);
    settled.delete(uid);
    const parent = trace.setSpanContext(context.active(), waiting[0]!);
    const links = waiting.slice(1).map((ctx) => ({ context: ctx }));
    return tracer.startActiveSpan('patch annotation', { kind: SpanKind.CLIENT, links, attributes: { 'herald.object_uid': uid, 'herald.settles': waiting.length } }, parent, async (span) => {
      try {
        await m.sync(uid, revision);
      } finally {
        span.end();
      }
    });
  }

  async function settle(result: DeliveryResultData): Promise<void> {
    const span = tracer.startSpan('settle', { attributes: { 'herald.state_key': result.stateKey, 'herald.succeeded': result.succeeded, 'herald.attempts': result.attempts } });
    // Noted before the claim changes: the mirror hears of the change as soon as it is written.
    if (mirror && (settled.size < 10_000 || settled.has(result.ref.uid))) {
      const list = settled.get(result.ref.uid) ?? [];
      // Bounded: an object whose patches never come keeps its first few settles only.
      if (list.length < 16) list.push(span.spanContext());
      settled.set(result.ref.uid, list);
    }
    let outcome;
    try {
      outcome = await dedup.settle(result);
      span.setAttribute('herald.dedup', outcome);
    } finally {
      span.end();
    }
    if (outcome !== 'released') return;
    logger.warn(
      { object: `${result.ref.namespace ?? ''}/${result.ref.name}`, stateKey: result.stateKey, error: result.error, at: clock.now().getTime() },
      'delivery failed for good; the claim is released so the condition fires again',
    );
  }
}
