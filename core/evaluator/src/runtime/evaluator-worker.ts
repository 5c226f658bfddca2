import { metrics, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { STATE_EPOCH_HEADER, type Dedup } from '@herald/core-dedup';
import { isHeraldError, type BusPublisher, type BusSubscriber, type Delivery, type Logger, type NotificationData, type ObjectRef, type ResourceEventData, type Subscription } from '@herald/plugin-sdk';
import { variableName, type NotificationConfig } from '@herald/core-notification-config';
import { idempotencyKey } from '../dedup/state-keys.ts';
import { EvaluatorErrorCodes, NotReadyError } from '../errors.ts';
import { Evaluator, type Decision } from '../evaluate/evaluator.ts';
import { planProblems } from '../evaluate/plan-problems.ts';
import type { HostClock } from '../host/index.ts';
import { WarningLimiter } from './warning-limiter.ts';

/**
 * Events out at once per partition (max_ack_pending of each partition's consumer). One: the server then hands
 * out a partition's events one at a time whoever pulls, which keeps an object's events in order even while two
 * processes pull the same partition (pins lost with a stream leader, a membership that flapped). 16 cut the p99
 * at 100 changes/s from ~100 to 36–72 ms, but lost 2 of 120 in the cluster fault suite's kill-leader, where both
 * evaluators held events of one partition at once (docs/benchmarks.md, sixth wave); the takeover gate covers a
 * hand-over, not two holders at the same time. How an edge is lost then: core/dedup's dedup.test.ts, "order".
 */
const EVENTS_OUT_PER_PARTITION = 1;

export interface EvaluatorWorkerOptions {
  subscriber: BusSubscriber;
  publisher: BusPublisher;
  /** The claim protocol: every claim and release goes through it. */
  dedup: Dedup;
  logger: Logger;
  /** The notification config in force (it may change between events). */
  config: () => NotificationConfig | undefined;
  /**
   * Self-service (herald.yaml's `notifications.selfService`): the notification config an object's own namespace
   * holds, if any. It applies to that namespace's objects besides `config`, as Argo's self-service
   * notifications: each config's subscriptions, triggers, templates and services on their own, its state keys
   * starting with the namespace.
   */
  namespaceConfig?: (namespace: string) => NotificationConfig | undefined;
  annotationPrefix: string;
  /** Variable names by kind (`Application`) or group/kind (`argoproj.io/Application`). */
  variables: Readonly<Record<string, string>>;
  clock?: HostClock;
  /** Durable consumer shared by every evaluator. Default `herald-evaluator`. */
  durable?: string;
  /** The same subscription or condition warning about the same object is logged once per interval (default 10 min). */
  warningIntervalMs?: number;
  /**
   * Service types sinks outside Herald deliver: their notifications carry the service's options as written
   * and where its `$secret` references live (`destination.options`, `destination.secretRefs`), never a value.
   */
  externalServiceTypes?: ReadonlySet<string>;
}

/**
 * The evaluator role: for each resource event, plans (which conditions hold, for which destinations),
 * claims each triggered (condition, destination) through the dedup protocol, renders and publishes the
 * notifications it won the claim for, and releases the claims of conditions that turned false. The event
 * is acknowledged only after all of that.
 */
export async function startEvaluatorWorker(options: EvaluatorWorkerOptions): Promise<Subscription> {
  const { publisher, dedup, logger, annotationPrefix } = options;
  const warnings = new WarningLimiter(options.warningIntervalMs, options.clock);
  // One Evaluator per (config, variable name): configs are immutable, so a reload simply makes new ones and the
  // old ones go with their config.
  const evaluators = new WeakMap<NotificationConfig, Map<string, Evaluator>>();
  const evaluatorFor = (config: NotificationConfig, varName: string, configNamespace?: string): Evaluator => {
    let byName = evaluators.get(config);
    if (!byName) evaluators.set(config, (byName = new Map()));
    let e = byName.get(varName);
    if (!e) byName.set(varName, (e = new Evaluator(config, { varName, annotationPrefix, ...(options.clock ? { clock: options.clock } : {}), ...(configNamespace ? { configNamespace } : {}) })));
    return e;
  };

  // An object's Running is never evaluated before its Pending, nor a stale Running after the next Pending
  // (test/e2e/src/faults, kill-evaluator): see EVENTS_OUT_PER_PARTITION, and the bus's TakeoverGate for a hand-over.
  const ordered = { durable: options.durable ?? 'herald-evaluator', maxAckPending: EVENTS_OUT_PER_PARTITION };
  const tracer = trace.getTracer('@herald/core-evaluator');
  const meter = metrics.getMeter('@herald/core-evaluator');
  // Argo's name and labels: one count per condition of a trigger evaluated against an object.
  const triggerEvals = meter.createCounter('notifications_trigger_eval', { description: 'Trigger conditions evaluated, by trigger name and whether they held' });
  const evalLatency = meter.createHistogram('herald.evaluation.duration.seconds', {
    unit: 's',
    description: 'Time to evaluate one resource event: plan, claims, renders and publishes',
    advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  return options.subscriber.subscribe('events', ordered, (delivery: Delivery<ResourceEventData>) => {
    const { action, ref, resourceVersion, resync } = delivery.event.data;
    const attributes = { 'herald.object': objectKey(ref), 'k8s.resource.version': resourceVersion, 'herald.action': action, ...(resync === undefined ? {} : { 'herald.resync': true }) };
    const started = performance.now();
    return tracer.startActiveSpan('evaluate', { attributes }, async (span) => {
      try {
        await evaluate(delivery, span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
        evalLatency.record((performance.now() - started) / 1000);
      }
    });
  });

  async function evaluate(delivery: Delivery<ResourceEventData>, span: Span): Promise<void> {
    const { action, ref, object, resourceVersion, observedAt } = delivery.event.data;
    const config = options.config();
    if (!config) throw new NotReadyError('no notification config is loaded yet', 5_000);
    const varName = variableName(ref, options.variables);
    const own = ref.namespace ? options.namespaceConfig?.(ref.namespace) : undefined;
    const extra = { herald: { action } };
    const plans = [config, ...(own ? [own] : [])].map((c) => {
      const evaluator = evaluatorFor(c, varName, c === own ? ref.namespace : undefined);
      return { evaluator, plan: evaluator.plan(object, extra) };
    });
    const decisions = plans.flatMap(({ evaluator, plan }) => plan.decisions.map((decision) => ({ decision, evaluator })));
    const counted = new Set<string>();
    for (const { decision: d } of decisions) {
      const key = `${d.destination.configNamespace ?? ''}\u0000${d.trigger}\u0000${d.condition.key}`;
      if (counted.has(key)) continue;
      counted.add(key);
      triggerEvals.add(1, { name: d.trigger, triggered: String(d.triggered) });
    }
    span.setAttribute('herald.decisions', decisions.length);
    logger.debug({ object: describe(ref), action, resourceVersion, event: delivery.event.id, delivery: delivery.deliveryCount, subject: delivery.subject, decisions: decisions.map(({ decision: d }) => `${d.stateKey}=${d.triggered}`) }, 'evaluated');
    for (const problem of planProblems(plans)) {
      const admitted = warnings.admit(ref.uid, problem);
      if (admitted) logger.warn({ object: describe(ref), problem, ...(admitted.suppressed ? { suppressed: admitted.suppressed } : {}) }, 'subscription or condition not usable');
    }
    if (decisions.length === 0) return;

    const stateEpoch = delivery.headers[STATE_EPOCH_HEADER];
    const { claims, adopted, problem } = await dedup.adopt(ref, object, stateEpoch === undefined ? {} : { stateEpoch });
    if (problem) logger.warn({ object: describe(ref), problem }, `the ${dedup.annotation} annotation is partly unreadable`);
    if (adopted) logger.info({ object: describe(ref), keys: adopted }, `adopted the ${dedup.annotation} annotation`);
    for (const { decision, evaluator } of decisions) {
      if (decision.triggered) await claimAndPublish(decision, evaluator, delivery.event.id);
      else if (!decision.oncePer) {
        const released = await claims.release(decision.stateKey, resourceVersion);
        if (released.outcome === 'stale') stale(decision, released.newer);
      }
    }

    /** A triggered decision as a span: the trigger, its condition, the destination and what dedup said. */
    function claimAndPublish(d: Decision, evaluator: Evaluator, eventId: string): Promise<void> {
      const attributes = {
        ...(d.destination.configNamespace ? { 'herald.config_namespace': d.destination.configNamespace } : {}),
        'herald.trigger': d.trigger,
        'herald.condition_key': d.condition.key,
        'herald.service.type': d.destination.serviceType,
        'herald.service.name': d.destination.service,
        'herald.recipient': d.destination.recipient,
        'herald.state_key': d.stateKey,
      };
      return tracer.startActiveSpan(`notify ${d.trigger}`, { attributes }, async (span) => {
        try {
          await claimRenderPublish(d, evaluator, eventId, span);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      });
    }

    async function claimRenderPublish(d: Decision, evaluator: Evaluator, eventId: string, span: Span): Promise<void> {
      const claimed = await claims.claim(d.stateKey, { eventId, rv: resourceVersion });
      span.setAttribute('herald.dedup', claimed.outcome);
      if (claimed.outcome === 'stale') return stale(d, claimed.newer);
      if (claimed.outcome !== 'claimed') {
        logger.info({ object: describe(ref), trigger: d.trigger, destination: d.destination, stateKey: d.stateKey }, 'not sent: already notified');
        return;
      }
      const notification: NotificationData = {
        trigger: d.trigger,
        conditionKey: d.condition.key,
        template: d.condition.templates.join(',') || '-',
        destination: destinationOf(d, evaluator.config),
        stateKey: d.stateKey,
        idempotencyKey: idempotencyKey(ref.uid, d.stateKey),
        claimRevision: claimed.revision,
        // The claim's time and state travel to the result, which settles the claim without reading it.
        claim: claimed.claim,
        ref,
        rendered: {},
        // Carried along so the sink measures delivery latency from the change, not from this publish.
        ...(observedAt ? { observedAt } : {}),
      };
      // A (trigger, destination) that cannot be rendered or published fails alone: the others are still sent.
      try {
        notification.rendered = render(d, evaluator);
      } catch (err) {
        return failAlone(notification, claimed.revision, EvaluatorErrorCodes.templateRuntime, `cannot render ${describeNotification(notification)}: ${(err as Error).message}`);
      }
      try {
        await publisher.notification(notification);
      } catch (err) {
        // Timeouts and a closed connection are the bus's trouble, not this notification's: the event is tried again.
        if (!isHeraldError(err) || err.retryable) throw err;
        return failAlone({ ...notification, rendered: {} }, claimed.revision, err.code, `cannot publish ${describeNotification(notification)}: ${err.message}`);
      }
      logger.info({ object: describe(ref), trigger: d.trigger, destination: d.destination, stateKey: d.stateKey }, 'notification published');
    }

    /** The decision's destination; for a sink outside Herald, with the service's options and secret references. */
    function destinationOf(d: Decision, config: NotificationConfig): NotificationData['destination'] {
      const service = options.externalServiceTypes?.has(d.destination.serviceType) ? config.services.get(d.destination.service) : undefined;
      if (!service) return d.destination;
      return { ...d.destination, options: service.options, ...(Object.keys(service.secretRefs).length ? { secretRefs: service.secretRefs } : {}) };
    }

    /** Renders a decision's templates in a span of its own. */
    function render(d: Decision, evaluator: Evaluator): NotificationData['rendered'] {
      const templates = d.condition.templates.join(',') || '-';
      return tracer.startActiveSpan(`render ${templates}`, { attributes: { 'herald.template': templates } }, (span) => {
        try {
          return evaluator.render(d.condition.templates, object, d.destination, false, extra);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      });
    }

    /**
     * Gives the claim back (the next change of the object tries again) and dead-letters the notification
     * with the reason, once per version of the object: the letter's id is the same for every redelivery of
     * this event, so the bus's duplicate window keeps a broken template from filling the dead letters.
     */
    async function failAlone(n: NotificationData, revision: number, code: string, reason: string): Promise<void> {
      await dedup.withdraw(ref, n.stateKey, revision);
      await publisher.deadLetter('notifications', n, { code, reason }, { id: `dlq:notifications:${n.idempotencyKey}:rv-${resourceVersion}:evaluator` });
      logger.warn({ object: describe(ref), trigger: n.trigger, template: n.template, destination: n.destination, stateKey: n.stateKey, code, resourceVersion }, reason);
    }

    function stale(d: Decision, newer: string): void {
      logger.info(
        { object: describe(ref), trigger: d.trigger, stateKey: d.stateKey, resourceVersion, newer },
        'an older state of the object came again after a newer one was evaluated; ignored',
      );
    }
  }
}

function objectKey(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** Trigger, template(s), destination and object, for a dead letter's reason. */
function describeNotification(n: NotificationData): string {
  const { serviceType, service, recipient } = n.destination;
  const to = `${service === serviceType ? service : `${serviceType} service ${service}`}${recipient ? `:${recipient}` : ''}`;
  return `trigger ${n.trigger} (template ${n.template}) to ${to} for ${describe(n.ref)}`;
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
