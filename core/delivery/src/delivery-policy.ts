import { backoffDelay, type BackoffPolicy, type Jitter, type RetryPolicy, type SinkLimits } from '@herald/plugin-sdk';

/**
 * Where a destination's rate limit is kept: `cluster`, one bucket on the bus every sink process takes from
 * (SharedPace); `process`, each process's own (N processes send up to N × the rate).
 */
export type RateLimitScope = 'cluster' | 'process';

/** The engine config's `sink` section as core/delivery reads it (durations in milliseconds). */
export interface SinkSettings {
  maxDeliver: number;
  maxAckPending: number;
  backoff: { base: number; max: number; jitter: Jitter };
  rateLimit: { perSecond: number; burst: number; maxWait: number; scope: RateLimitScope };
  concurrency: { perDestination: number };
  circuitBreaker: { failures: number; coolDown: number; maxCoolDown: number };
  byType: Record<string, SinkTypeSettings>;
}

/** One service type's overrides of the `sink` section. */
export interface SinkTypeSettings {
  maxDeliver?: number | undefined;
  maxAckPending?: number | undefined;
  backoff?: { base?: number | undefined; max?: number | undefined; jitter?: Jitter | undefined } | undefined;
  rateLimit?: { perSecond?: number | undefined; burst?: number | undefined; maxWait?: number | undefined; scope?: RateLimitScope | undefined } | undefined;
  concurrency?: { perDestination?: number | undefined } | undefined;
  circuitBreaker?: { failures?: number | undefined; coolDown?: number | undefined; maxCoolDown?: number | undefined } | undefined;
}

/** How the notifications of one service type are delivered: the `sink` section, the sink's declared limits, the type's `byType` entry. */
export interface DeliveryPolicy {
  /**
   * The durable consumer's bound on deliveries of one notification, and the attempts of a notification
   * whose service declares no retry policy. A service's policy asks for fewer (or as many) attempts.
   */
  maxDeliver: number;
  maxAckPending: number;
  backoff: Required<BackoffPolicy>;
  /** Undefined: no rate limit. */
  rateLimit: { perSecond: number; burst: number; maxWaitMs: number; scope: RateLimitScope } | undefined;
  perDestination: number;
  /** Undefined: no breaker. */
  circuitBreaker: { failures: number; coolDownMs: number; maxCoolDownMs: number } | undefined;
}

/**
 * The policy of one service type. Precedence, per key: the type's `sink.byType` entry, then the limits the
 * sink declares for its API (`defineSink({ limits })`), then the `sink` section.
 */
export function deliveryPolicy(sink: SinkSettings, serviceType: string, declared: SinkLimits = {}): DeliveryPolicy {
  const own = Object.hasOwn(sink.byType, serviceType) ? sink.byType[serviceType]! : {};
  const defined = <T extends object>(o: T | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  const backoff = { ...sink.backoff, ...defined(own.backoff) };
  const rateLimit = {
    ...sink.rateLimit,
    ...defined({ perSecond: declared.perSecond, burst: declared.burst }),
    ...defined(own.rateLimit),
  };
  const breaker = { ...sink.circuitBreaker, ...defined(own.circuitBreaker) };
  return {
    maxDeliver: own.maxDeliver ?? sink.maxDeliver,
    maxAckPending: own.maxAckPending ?? sink.maxAckPending,
    backoff: { baseMs: backoff.base, maxMs: backoff.max, jitter: backoff.jitter },
    rateLimit: rateLimit.perSecond > 0 ? { perSecond: rateLimit.perSecond, burst: rateLimit.burst, maxWaitMs: rateLimit.maxWait, scope: rateLimit.scope } : undefined,
    perDestination: own.concurrency?.perDestination ?? declared.perDestination ?? sink.concurrency.perDestination,
    circuitBreaker: breaker.failures > 0 ? { failures: breaker.failures, coolDownMs: breaker.coolDown, maxCoolDownMs: breaker.maxCoolDown } : undefined,
  };
}

/** How one notification is retried: its service's retry policy within its type's policy. */
export interface NotificationRetry {
  /** Attempts in all; never above the type's maxDeliver. */
  maxAttempts: number;
  /** Milliseconds to wait after the `failures`-th failure, unless the destination sent Retry-After. */
  delayAfter(failures: number): number;
}

/**
 * A service's retry policy (what its sink derives from its options) applied to its type's policy. The
 * consumer's maxDeliver bounds it: a notification is never delivered more often than that, so a service
 * asking for more attempts gets maxDeliver (`capped` says so).
 */
export function notificationRetry(policy: DeliveryPolicy, own: Partial<RetryPolicy>, random: () => number = Math.random): NotificationRetry & { capped: boolean } {
  const wanted = own.maxAttempts ?? policy.maxDeliver;
  const maxAttempts = Math.max(1, Math.min(wanted, policy.maxDeliver));
  const { backoffMinMs: min, backoffMaxMs: max } = own;
  if (min === undefined && max === undefined) return { maxAttempts, capped: wanted > policy.maxDeliver, delayAfter: (failures) => backoffDelay(failures, policy.backoff, random) };
  const low = Math.min(min ?? 0, max ?? Number.POSITIVE_INFINITY);
  const high = max ?? policy.backoff.maxMs;
  // Doubling from the shortest wait, jittered, and never outside [min, max]: the first retry waits [min, 2·min].
  const backoff = { baseMs: low * 2, maxMs: high, jitter: policy.backoff.jitter };
  return { maxAttempts, capped: wanted > policy.maxDeliver, delayAfter: (failures) => Math.min(high, Math.max(low, backoffDelay(failures, backoff, random))) };
}
