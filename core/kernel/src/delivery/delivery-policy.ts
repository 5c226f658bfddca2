import type { SinkConfig } from '../config/engine-config.schema.ts';
import type { BackoffPolicy } from './backoff.ts';

/** How the notifications of one service type are delivered: the `sink` section with its `byType` entry applied. */
export interface DeliveryPolicy {
  maxDeliver: number;
  maxAckPending: number;
  backoff: BackoffPolicy;
  /** Undefined: no rate limit. */
  rateLimit: { perSecond: number; burst: number; maxWaitMs: number } | undefined;
  perDestination: number;
  /** Undefined: no breaker. */
  circuitBreaker: { failures: number; coolDownMs: number; maxCoolDownMs: number } | undefined;
}

export function deliveryPolicy(sink: SinkConfig, serviceType: string): DeliveryPolicy {
  const own = Object.hasOwn(sink.byType, serviceType) ? sink.byType[serviceType]! : {};
  const backoff = { ...sink.backoff, ...own.backoff };
  const rateLimit = { ...sink.rateLimit, ...own.rateLimit };
  const breaker = { ...sink.circuitBreaker, ...own.circuitBreaker };
  return {
    maxDeliver: own.maxDeliver ?? sink.maxDeliver,
    maxAckPending: own.maxAckPending ?? sink.maxAckPending,
    backoff: { baseMs: backoff.base, maxMs: backoff.max, jitter: backoff.jitter },
    rateLimit: rateLimit.perSecond > 0 ? { perSecond: rateLimit.perSecond, burst: rateLimit.burst, maxWaitMs: rateLimit.maxWait } : undefined,
    perDestination: own.concurrency?.perDestination ?? sink.concurrency.perDestination,
    circuitBreaker: breaker.failures > 0 ? { failures: breaker.failures, coolDownMs: breaker.coolDown, maxCoolDownMs: breaker.maxCoolDown } : undefined,
  };
}
