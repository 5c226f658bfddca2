import { describe, expect, it } from 'vitest';
import { deliveryPolicy, notificationRetry, type SinkSettings } from './delivery-policy.ts';

// The engine config's defaults, as the kernel hands them over.
const defaults: SinkSettings = {
  maxDeliver: 5,
  maxAckPending: 1_000,
  backoff: { base: 1_000, max: 60_000, jitter: 'equal' },
  rateLimit: { perSecond: 0, burst: 20, maxWait: 100, scope: 'cluster' as const },
  concurrency: { perDestination: 4 },
  circuitBreaker: { failures: 3, coolDown: 30_000, maxCoolDown: 300_000 },
  byType: {},
};

describe('delivery policy of a service type', () => {
  it('takes the limits a sink declares for its API over the section’s defaults', () => {
    expect(deliveryPolicy(defaults, 'slack', { perSecond: 1, burst: 3, perDestination: 1 })).toMatchObject({ rateLimit: { perSecond: 1, burst: 3, maxWaitMs: 100 }, perDestination: 1 });
    expect(deliveryPolicy(defaults, 'slack', { perSecond: 1 })).toMatchObject({ rateLimit: { perSecond: 1, burst: 20 }, perDestination: 4 });
    expect(deliveryPolicy(defaults, 'webhook', {})).toMatchObject({ rateLimit: undefined, perDestination: 4 });
  });

  it('lets sink.byType override what the sink declares, key by key', () => {
    const settings = { ...defaults, byType: { slack: { rateLimit: { perSecond: 0.5 }, concurrency: { perDestination: 2 } } } };
    expect(deliveryPolicy(settings, 'slack', { perSecond: 1, burst: 3, perDestination: 1 })).toMatchObject({ rateLimit: { perSecond: 0.5, burst: 3 }, perDestination: 2 });
    const off = { ...defaults, byType: { slack: { rateLimit: { perSecond: 0 } } } };
    expect(deliveryPolicy(off, 'slack', { perSecond: 1 }).rateLimit).toBeUndefined();
  });

  it('shares a rate limit among the sink processes unless the section or the type keeps it per process', () => {
    expect(deliveryPolicy(defaults, 'slack', { perSecond: 1 }).rateLimit?.scope).toBe('cluster');
    const perProcess = { ...defaults, rateLimit: { ...defaults.rateLimit, scope: 'process' as const } };
    expect(deliveryPolicy(perProcess, 'slack', { perSecond: 1 }).rateLimit?.scope).toBe('process');
    const slackOnly = { ...defaults, byType: { slack: { rateLimit: { scope: 'process' as const } } } };
    expect(deliveryPolicy(slackOnly, 'slack', { perSecond: 1 }).rateLimit?.scope).toBe('process');
    expect(deliveryPolicy(slackOnly, 'telegram', { perSecond: 1 }).rateLimit?.scope).toBe('cluster');
  });
});

describe('retry policy of one notification', () => {
  const policy = deliveryPolicy(defaults, 'webhook');
  const top = () => 0.999_999;
  const bottom = () => 0;

  it('without a service policy: maxDeliver attempts and the type’s backoff', () => {
    const retry = notificationRetry(policy, {}, top);
    expect(retry).toMatchObject({ maxAttempts: 5, capped: false });
    expect([1, 2, 3].map((f) => retry.delayAfter(f))).toEqual([1_000, 2_000, 4_000]);
  });

  it('with a service policy: its attempts, and waits doubling from its shortest, never outside [min, max]', () => {
    const high = notificationRetry(policy, { maxAttempts: 3, backoffMinMs: 1_000, backoffMaxMs: 5_000 }, top);
    expect(high.maxAttempts).toBe(3);
    expect([1, 2, 3, 4].map((f) => high.delayAfter(f))).toEqual([2_000, 4_000, 5_000, 5_000]);
    const low = notificationRetry(policy, { maxAttempts: 3, backoffMinMs: 1_000, backoffMaxMs: 5_000 }, bottom);
    expect([1, 2, 3, 4].map((f) => low.delayAfter(f))).toEqual([1_000, 2_000, 2_500, 2_500]);
    // A shortest wait above the longest: the longest wins, as in Argo.
    expect(notificationRetry(policy, { backoffMinMs: 9_000, backoffMaxMs: 2_000 }, top).delayAfter(1)).toBe(2_000);
    expect(notificationRetry(policy, { backoffMinMs: 0, backoffMaxMs: 0 }, top).delayAfter(3)).toBe(0);
  });

  it('caps a service’s attempts at the consumer’s maxDeliver, and says so', () => {
    expect(notificationRetry(policy, { maxAttempts: 11 })).toMatchObject({ maxAttempts: 5, capped: true });
    expect(notificationRetry(policy, { maxAttempts: 0 })).toMatchObject({ maxAttempts: 1, capped: false });
  });
});
