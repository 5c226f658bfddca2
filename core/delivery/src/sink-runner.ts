import { SpanKind, SpanStatusCode, trace, type Meter, type Span } from '@opentelemetry/api';
import {
  DeliveryError,
  isDeliveryError,
  isHeraldError,
  maskErrorSecrets,
  retryAfterOf,
  sleepUnlessAborted,
  untilAborted,
  type BusPublisher,
  type BusSubscriber,
  type Delivery,
  type DeliveryResultData,
  type HeraldError,
  type Logger,
  type NotificationData,
  type RetryPolicy,
  type ServiceInstance,
  type SinkHandle,
  type SinkLimits,
  type Subscription,
} from '@herald/plugin-sdk';
import { HandBackError, isBackPressure, isBusUnavailable } from '@herald/core-bus';
import { DeliveryErrorCodes, SendFailedError, StepAsideError } from './errors.ts';
import { deliveryPolicy, notificationRetry, type DeliveryPolicy, type NotificationRetry, type SinkSettings } from './delivery-policy.ts';
import { DestinationLimiter, type Admission, type Outcome } from './destination-limiter.ts';
import { SharedPace, type PaceStore } from './shared-pace.ts';
import { DestinationLabels } from './destination-labels.ts';
import type { BreakerState } from './circuit-breaker.ts';

/** The breaker gauge's values. */
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** What core/delivery needs of a sink plugin: its id, its service types and what it declares about them. */
export interface SinkDeclaration {
  id: string;
  serviceTypes: readonly string[];
  limits?: SinkLimits | undefined;
  retryPolicy?: ((serviceConfig: never) => Partial<RetryPolicy>) | undefined;
}

/** A configured service (`service.<type>[.<name>]`) of the notification config in force. */
export interface ConfiguredService {
  type: string;
  name: string;
  /** Options parsed by the sink's serviceConfigSchema, `$secret` references substituted. */
  config: unknown;
  /** The values substituted from the Secret: masked in every error, log line and dead letter. */
  secrets?: readonly string[] | undefined;
}

/**
 * One call into the sink's code under a deadline, its errors attributed to the plugin: the kernel's plugin
 * call. Rejects with a HeraldError (its `retryable` kept; a timeout is retryable).
 */
export type SinkCall = <T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>, shutdown: AbortSignal) => Promise<T>;

export interface SinkRunnerOptions {
  sink: SinkDeclaration;
  handle: SinkHandle;
  subscriber: BusSubscriber;
  publisher: BusPublisher;
  logger: Logger;
  call: SinkCall;
  /** Deadline of one `send` (one attempt). */
  callTimeoutMs: number;
  /** The engine config's `sink` section: attempts, backoff, rate limits, concurrency and breakers, per service type. */
  settings: SinkSettings;
  /** Aborted when the sink is being stopped (after its intake stopped); passed on to `send` in its signal. */
  shutdown: AbortSignal;
  /**
   * The configured services of the notification config in force, by name; undefined before one loaded. With a
   * namespace (a notification's `destination.configNamespace`, self-service), those of that namespace's config.
   */
  services: (configNamespace?: string) => ReadonlyMap<string, ConfiguredService> | undefined;
  /** For `herald.delivery.admissions`; none: not counted. */
  meter?: Meter | undefined;
  /**
   * Where a service type's rate limits are shared with the other sink processes (the bus's pace bucket), for
   * `rateLimit.scope: cluster`; none: each process keeps its own.
   */
  pace?: ((serviceType: string) => PaceStore) | undefined;
}

/**
 * Feeds a sink the notifications of its service types from durable consumers shared by every Herald
 * replica (`herald-sink-<type>`). Each `send` is one attempt. A notification is acknowledged once `send`
 * resolved and never sent again after that; a failed attempt is tried again after the service's backoff
 * (or the destination's Retry-After) by redelivery from the bus, until its service's retry policy (or the
 * type's maxDeliver) is spent; then it is dead-lettered. One delivery result is published per final outcome.
 *
 * Each destination (service, recipient) gets its own limits: a token bucket, a bound on sends in flight and
 * a circuit breaker, which see every attempt. The token bucket is shared by every sink process of the
 * installation (SharedPace, `rateLimit.scope: cluster`); the rest are the process's own. A notification
 * whose destination has every send slot taken waits in the process for one (a bounded number of them: see
 * DestinationLimiter); one its destination cannot take soon steps aside (back to the bus, to come again
 * later, no attempt counted), so a slow or failing destination never holds up the others.
 */
export async function startSinkRunner(options: SinkRunnerOptions): Promise<Subscription[]> {
  const { sink, handle, publisher, logger } = options;
  const serviceFor = serviceLookup(options.services);
  const admissions = options.meter?.createCounter('herald.delivery.admissions', {
    description: 'Attempts at notifications by what the destination limits said: send (a token taken, if rate limited), rate limited, busy, throttled, open',
  });
  // Argo's name and labels, so its dashboards work: one count per notification's final outcome.
  const deliveries = options.meter?.createCounter('notifications_deliveries', {
    description: 'Notifications delivered (succeeded="true") or given up (succeeded="false"), by trigger and service',
  });
  const latency = options.meter?.createHistogram('herald.delivery.latency.seconds', {
    unit: 's',
    description: 'From the change observed by the source (else the notification published by the evaluator) to the remote side accepting it, by service type',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] },
  });
  const inFlight = options.meter?.createUpDownCounter('herald.delivery.in_flight', {
    description: 'Sends (attempts) in progress now, by service type',
  });
  // Per destination, the first MAX_DESTINATION_LABELS of each service type by name, the rest folded into "other".
  const breakers = options.meter?.createObservableGauge('herald.delivery.circuit_breaker.state', {
    description: 'Circuit breaker of each destination (service/recipient) the process remembers: 0 closed, 1 half-open, 2 open; "other" holds the worst of the destinations past the label cap',
  });
  const limiters = new Map<string, { limiter: DestinationLimiter; labels: DestinationLabels }>();
  const observeBreakers = (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    for (const [serviceType, { limiter, labels }] of limiters) {
      const worst = new Map<string, number>();
      for (const [key, state] of limiter.breakerStates()) {
        const destination = labels.of(key);
        worst.set(destination, Math.max(worst.get(destination) ?? 0, BREAKER_VALUE[state]));
      }
      for (const [destination, value] of worst) result.observe(value, { 'herald.service_type': serviceType, destination });
    }
  };
  breakers?.addCallback(observeBreakers);
  const tracer = trace.getTracer('@herald/core-delivery');
  // A result that cannot be published must not undo a delivery the remote side accepted. One a full results
  // stream refused, or one the bus could not take for now (no leader, no answer in time: see
  // isBusUnavailable), is published again until it goes through (until shutdown; the same id makes a repeat
  // safe): without it the claim stays pending, the annotation never shows the send, and a final failure's
  // condition never fires again. Meanwhile this delivery holds its slot, so the sink sends less.
  const report = async (data: DeliveryResultData) => {
    deliveries?.add(1, { trigger: data.trigger, service: data.destination.service, succeeded: String(data.succeeded) });
    for (;;) {
      try {
        await publisher.deliveryResult(data);
        return;
      } catch (err) {
        const full = isBackPressure(err);
        if ((full || isBusUnavailable(err)) && !options.shutdown.aborted) {
          logger.warn({ err, stateKey: data.stateKey, succeeded: data.succeeded }, full ? 'the results stream is full; publishing the delivery result again' : 'the bus is unavailable; publishing the delivery result again');
          if (await sleepUnlessAborted(1_000, options.shutdown)) continue;
        }
        logger.error({ err, stateKey: data.stateKey, succeeded: data.succeeded }, 'delivery result could not be published; the delivery outcome stands');
        return;
      }
    }
  };
  // Stops observing the breakers when the runner stops.
  const subscriptions: Subscription[] = [{ stop: () => Promise.resolve(breakers?.removeCallback(observeBreakers)) }];
  try {
    for (const serviceType of sink.serviceTypes) await subscribeType(serviceType);
  } catch (err) {
    // Do not leave the service types already subscribed running for a sink that failed to start.
    await Promise.all(subscriptions.map((s) => s.stop()));
    throw err;
  }
  return subscriptions;

  async function subscribeType(serviceType: string): Promise<void> {
    const policy = deliveryPolicy(options.settings, serviceType, sink.limits);
    const limiter = new DestinationLimiter(policy);
    limiters.set(serviceType, { limiter, labels: new DestinationLabels() });
    const retries = retriesOf(policy, serviceType);
    const { maxDeliver, maxAckPending, rateLimit } = policy;
    const pace = rateLimit?.scope === 'cluster' && options.pace ? new SharedPace({ store: options.pace(serviceType), rate: rateLimit, serviceType, logger }) : undefined;
    const limits = { limiter, pace, retries };
    subscriptions.push(
      await options.subscriber.subscribe('notifications', { durable: `herald-sink-${serviceType}`, filter: serviceType, maxDeliver, maxAckPending }, (delivery) =>
        deliver(delivery, serviceType, limits),
      ),
    );
  }

  /** The retry policy of each configured service, computed once per options object (a config reload makes new ones). */
  function retriesOf(policy: DeliveryPolicy, serviceType: string): (service: ServiceInstance | undefined) => NotificationRetry {
    const typeOnly = notificationRetry(policy, {});
    const known = new WeakMap<object, NotificationRetry>();
    return (service) => {
      if (!service || !sink.retryPolicy || typeof service.config !== 'object' || service.config === null) return typeOnly;
      const cached = known.get(service.config);
      if (cached) return cached;
      let own: Partial<RetryPolicy> = {};
      try {
        own = sink.retryPolicy(service.config as never);
      } catch (err) {
        logger.error({ err, service: service.name }, 'the sink’s retryPolicy failed: the service type’s policy applies');
      }
      const retry = notificationRetry(policy, own);
      if (retry.capped) {
        logger.warn(
          { service: service.name, wanted: own.maxAttempts, maxDeliver: policy.maxDeliver },
          `service "${service.name}" asks for ${own.maxAttempts} attempts; sink.maxDeliver for ${serviceType} allows ${policy.maxDeliver} (raise sink.byType.${serviceType}.maxDeliver)`,
        );
      }
      known.set(service.config, retry);
      return retry;
    };
  }

  /** One attempt as a span (the sink's client span is its child): what was tried, to whom, and how it ended. */
  function deliver(delivery: Delivery<NotificationData>, serviceType: string, limits: TypeLimits): Promise<void> {
    const n = delivery.event.data;
    const attributes = {
      'herald.service.type': serviceType,
      'herald.service.name': n.destination.service,
      'herald.recipient': n.destination.recipient,
      'herald.trigger': n.trigger,
      'herald.template': n.template,
      'herald.state_key': n.stateKey,
      'herald.object': objectKey(n),
      'herald.attempt': delivery.deliveryCount,
    };
    return tracer.startActiveSpan(`deliver ${serviceType}`, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
      try {
        await attemptDelivery(delivery, serviceType, limits, span);
        span.setAttribute('herald.outcome', 'sent');
        latency?.record(Math.max(0, Date.now() - Date.parse(n.observedAt ?? delivery.event.time)) / 1000, { 'herald.service_type': serviceType });
      } catch (err) {
        const outcome = err instanceof StepAsideError || err instanceof HandBackError ? 'stepped aside' : (err as { lastAttempt?: boolean }).lastAttempt || !isHeraldError(err) || !err.retryable ? 'failed' : 'retrying';
        span.setAttribute('herald.outcome', outcome);
        if (outcome !== 'stepped aside') span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  async function attemptDelivery(delivery: Delivery<NotificationData>, serviceType: string, { limiter, pace, retries }: TypeLimits, span: Span): Promise<void> {
    const n = delivery.event.data;
    const attempt = delivery.deliveryCount;
    const result = { idempotencyKey: n.idempotencyKey, claimRevision: n.claimRevision, ...(n.claim ? { claim: n.claim } : {}), stateKey: n.stateKey, trigger: n.trigger, destination: n.destination, ref: n.ref, attempts: attempt };
    const where = `${serviceType}/${n.destination.service}/${n.destination.recipient}`;
    let service: ServiceInstance | undefined;

    // Reports a failed attempt (a final one as a failed result) and hands the bus the delay before the next.
    const failed = async (error: HeraldError, delayMs?: number): Promise<never> => {
      const cause = error.cause;
      const retry = retries(service);
      const lastAttempt = error.retryable && attempt >= retry.maxAttempts;
      const final = !error.retryable || lastAttempt;
      if (final) {
        await report({ ...result, succeeded: false, error: { code: isHeraldError(cause) ? cause.code : error.code, message: error.message, retryable: error.retryable } });
      }
      logger.warn({ err: error, attempt, of: retry.maxAttempts, final, destination: where, stateKey: n.stateKey }, 'delivery failed');
      // The destination's Retry-After wins; otherwise the service's backoff, with its jitter.
      const retryAfterMs = retryAfterOf(cause) ?? retryAfterOf(error) ?? Math.max(delayMs ?? 0, retry.delayAfter(attempt));
      throw new SendFailedError(isDeliveryError(cause) ? cause.code : error.code, error.message, { cause: error, retryable: error.retryable, retryAfterMs, lastAttempt });
    };

    try {
      service = serviceFor(n.destination, serviceType);
    } catch (err) {
      return failed(err as DeliveryError);
    }

    // A namespace's service is another destination than Herald's own of the same name (its own limits and breaker).
    const serviceName = n.destination.configNamespace ? `${n.destination.configNamespace}/${n.destination.service}` : n.destination.service;
    const destination = `${serviceName}\u0000${n.destination.recipient}`;
    let admission = limiter.admit(destination);
    if (admission.kind === 'wait') {
      admissions?.add(1, { 'herald.service_type': serviceType, 'herald.admission': 'waiting' });
      span.setAttribute('herald.waited', true);
      admission = await waitForSlot(admission, where);
    }
    if (admission.kind === 'send' && pace) admission = await limiter.paced(destination, admission, (maxWaitMs) => pace.reserve(destination, maxWaitMs));
    admissions?.add(1, { 'herald.service_type': serviceType, 'herald.admission': admissionName(admission) });
    span.setAttribute('herald.admission', admissionName(admission));
    if (admission.kind === 'aside') {
      logger.debug({ destination: where, reason: admission.reason, delayMs: admission.delayMs, stateKey: n.stateKey }, 'notification stepped aside');
      throw new StepAsideError(`${where} is ${admission.reason}; back in ${admission.delayMs} ms`, admission.delayMs);
    }
    if (admission.kind === 'open') {
      const last = admission.lastError === undefined ? '' : `; last: ${admission.lastError}`;
      const message = `plugin "${sink.id}": not sent: ${where} is failing (circuit open after ${admission.failures} consecutive failures${last})`;
      // Counted as an attempt, as the send would have failed: the notification's retries are not spent any faster.
      return failed(new SendFailedError(DeliveryErrorCodes.circuitOpen, message, { retryable: true }), admission.retryInMs);
    }

    const { permit, waitMs } = admission;
    if (waitMs > 0 && !(await sleepUnlessAborted(waitMs, options.shutdown))) {
      permit.done({ kind: 'called off' });
      throw new HandBackError(`send to ${where} called off by shutdown`);
    }
    inFlight?.add(1, { 'herald.service_type': serviceType });
    try {
      const instance = service;
      await options.call(`send to ${n.destination.service}`, options.callTimeoutMs, (signal) => handle.send(n, { attempt, signal, service: instance }), options.shutdown);
    } catch (err) {
      // Whatever a sink's error says, the service's secrets never reach a log, a result or a dead letter.
      const error = maskErrorSecrets(err as HeraldError, service.secrets);
      // Interrupted by Herald's shutdown (the send gave up because its signal said so): the message
      // goes back to the bus, with no outcome to report. Any other failure is reported as usual.
      if (options.shutdown.aborted && causedBy(error, options.shutdown.reason)) {
        permit.done({ kind: 'neutral' });
        throw new HandBackError(`send to ${n.destination.service} interrupted by shutdown`, error);
      }
      const outcome = outcomeOf(error);
      permit.done(outcome);
      // The other processes are told too: the destination is paused for all of them.
      if (outcome.kind === 'throttled') void pace?.pause(destination, outcome.retryAfterMs);
      return failed(error);
    } finally {
      inFlight?.add(-1, { 'herald.service_type': serviceType });
    }
    permit.done({ kind: 'success' });
    logger.info({ destination: where, stateKey: n.stateKey, object: objectKey(n), attempt }, 'sent');
    await report({ ...result, succeeded: true });
  }
  /**
   * Waits in the process for a send slot of a busy destination (the subscriber keeps the message's ack wait
   * from running out meanwhile). At shutdown the notification goes back to the bus: its place in the queue
   * given up, or the slot it was just handed given back.
   */
  async function waitForSlot(wait: Extract<Admission, { kind: 'wait' }>, where: string): Promise<Exclude<Admission, { kind: 'wait' }>> {
    try {
      return (await untilAborted(wait.ready, options.shutdown)) as Exclude<Admission, { kind: 'wait' }>;
    } catch {
      if (!wait.cancel()) {
        const admitted = await wait.ready;
        if (admitted.kind === 'send') admitted.permit.done({ kind: 'called off' });
      }
      throw new HandBackError(`wait for a send slot of ${where} called off by shutdown`);
    }
  }
}

/** What paces and limits the destinations of one service type. */
interface TypeLimits {
  limiter: DestinationLimiter;
  /** The rate limit shared with the other sink processes; none: the process's own bucket alone. */
  pace: SharedPace | undefined;
  retries: (service: ServiceInstance | undefined) => NotificationRetry;
}

function objectKey(n: NotificationData): string {
  return n.ref.namespace ? `${n.ref.namespace}/${n.ref.name}` : n.ref.name;
}

function admissionName(admission: Admission): string {
  return admission.kind === 'aside' ? admission.reason : admission.kind;
}

/** What a failed send says of its destination: a Retry-After pauses it, other transient failures count toward its breaker. */
function outcomeOf(error: HeraldError): Outcome {
  if (!error.retryable) return { kind: 'neutral' };
  const retryAfterMs = retryAfterOf(error.cause);
  if (retryAfterMs !== undefined) return { kind: 'throttled', retryAfterMs };
  return { kind: 'failure', error: error.message };
}

/**
 * The options of the service a notification goes to, from the notification config in force (secrets
 * stay off the bus: only the service's name travels with the notification).
 */
function serviceLookup(services: SinkRunnerOptions['services']) {
  return ({ service: name, configNamespace }: NotificationData['destination'], serviceType: string): ServiceInstance => {
    const all = services(configNamespace);
    const config = configNamespace ? `the notification config of namespace ${configNamespace}` : 'the notification config';
    if (!all) throw new DeliveryError(configNamespace ? `${config} is not loaded (yet)` : 'no notification config is loaded yet', { retryable: true, retryAfterMs: 5_000 });
    const entry = all.get(name);
    // The config may be reloading with the service added: worth a few more tries before the dead-letter stream.
    if (!entry) throw new DeliveryError(`service "${name}" is not defined in ${config}`, { retryable: true });
    if (entry.type !== serviceType) throw new DeliveryError(`service "${name}" is of type ${entry.type}, not ${serviceType}`, { retryable: false });
    return { type: entry.type, name: entry.name, config: entry.config as Record<string, unknown>, secrets: entry.secrets ?? [] };
  };
}

/** True when `reason` (or an AbortError) is somewhere in the error's cause chain. */
function causedBy(err: unknown, reason: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e === reason || (e as Error).name === 'AbortError') return true;
  }
  return false;
}
