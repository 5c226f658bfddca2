import { describe, expect, it } from 'vitest';
import { deliveryPolicy } from '@herald/core-delivery';
import { engineConfigSchema } from './engine-config.schema.ts';

const sinkOf = (sink: unknown) => engineConfigSchema.parse({ sink }).sink;

describe('engine config `sink` read as a delivery policy', () => {
  it('has defaults: no rate limit unless configured or declared by the sink', () => {
    expect(deliveryPolicy(sinkOf(undefined), 'webhook')).toEqual({
      maxDeliver: 5,
      maxAckPending: 1_000,
      backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 'equal' },
      rateLimit: undefined,
      perDestination: 64,
      circuitBreaker: { failures: 3, coolDownMs: 30_000, maxCoolDownMs: 300_000 },
    });
  });

  it('applies a service type’s overrides over the section, key by key', () => {
    const sink = sinkOf({
      maxDeliver: 8,
      backoff: { base: '2s', jitter: 'full' },
      byType: { slack: { rateLimit: { perSecond: 1, burst: 1 }, backoff: { max: '5m' }, circuitBreaker: { failures: 0 } } },
    });
    expect(deliveryPolicy(sink, 'slack')).toMatchObject({
      maxDeliver: 8,
      backoff: { baseMs: 2_000, maxMs: 300_000, jitter: 'full' },
      rateLimit: { perSecond: 1, burst: 1, maxWaitMs: 100 },
      circuitBreaker: undefined,
    });
    expect(deliveryPolicy(sink, 'webhook')).toMatchObject({ backoff: { baseMs: 2_000, maxMs: 60_000 }, rateLimit: undefined, circuitBreaker: { failures: 3 } });
  });

  it('takes a configured rate for every type, turns it off with perSecond: 0, and allows fractional rates', () => {
    expect(deliveryPolicy(sinkOf({ rateLimit: { perSecond: 10 } }), 'webhook').rateLimit).toEqual({ perSecond: 10, burst: 20, maxWaitMs: 100, scope: 'cluster' });
    expect(deliveryPolicy(sinkOf({ rateLimit: { perSecond: 0 } }), 'webhook').rateLimit).toBeUndefined();
    expect(deliveryPolicy(sinkOf({ byType: { email: { rateLimit: { perSecond: 0.5 } } } }), 'email').rateLimit).toMatchObject({ perSecond: 0.5 });
  });

  it('shares rate limits among the sink processes by default, or keeps them per process where asked', () => {
    expect(deliveryPolicy(sinkOf({ rateLimit: { perSecond: 10 } }), 'webhook').rateLimit?.scope).toBe('cluster');
    const sink = sinkOf({ rateLimit: { perSecond: 10, scope: 'process' }, byType: { slack: { rateLimit: { scope: 'cluster' } } } });
    expect(deliveryPolicy(sink, 'webhook').rateLimit?.scope).toBe('process');
    expect(deliveryPolicy(sink, 'slack').rateLimit?.scope).toBe('cluster');
  });

  it.each([
    ['an unknown key', { rateLimit: { perMinute: 3 } }],
    ['an unknown key under a service type', { byType: { slack: { concurrency: { total: 3 } } } }],
    ['a service type that is no subject token', { byType: { 'sla.ck': {} } }],
    ['an unknown jitter', { backoff: { jitter: 'some' } }],
    ['a burst below one', { rateLimit: { burst: 0 } }],
    ['a negative rate', { byType: { slack: { rateLimit: { perSecond: -1 } } } }],
    ['an unknown rate limit scope', { byType: { slack: { rateLimit: { scope: 'pod' } } } }],
  ])('rejects %s', (_, sink) => {
    expect(engineConfigSchema.safeParse({ sink }).success).toBe(false);
  });
});
