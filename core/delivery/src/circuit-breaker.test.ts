import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

describe('circuit breaker', () => {
  it('opens after the configured number of consecutive failures, for the cool-down', () => {
    const breaker = new CircuitBreaker({ failures: 3, coolDownMs: 1_000 });
    breaker.failure(0, 'timeout', false);
    breaker.failure(0, 'timeout', false);
    expect(breaker.check(0)).toEqual({ kind: 'closed' });
    breaker.failure(10, '503 from upstream', false);
    expect(breaker.check(10)).toEqual({ kind: 'open', retryInMs: 1_000 });
    expect(breaker.check(600)).toEqual({ kind: 'open', retryInMs: 410 });
    expect(breaker.lastError).toBe('503 from upstream');
    expect(breaker.failures).toBe(3);
  });

  it('counts only consecutive failures: a success starts again from zero', () => {
    const breaker = new CircuitBreaker({ failures: 2, coolDownMs: 1_000 });
    breaker.failure(0, 'e', false);
    breaker.success();
    breaker.failure(0, 'e', false);
    expect(breaker.check(0)).toEqual({ kind: 'closed' });
    expect(breaker.pristine).toBe(false);
  });

  it('after the cool-down lets one trial through; its success closes the breaker', () => {
    const breaker = new CircuitBreaker({ failures: 1, coolDownMs: 1_000 });
    breaker.failure(0, 'e', false);
    expect(breaker.check(1_000)).toEqual({ kind: 'probe' });
    expect(breaker.check(1_001)).toEqual({ kind: 'probing' });
    breaker.success();
    expect(breaker.check(1_002)).toEqual({ kind: 'closed' });
    expect(breaker.pristine).toBe(true);
  });

  it('opens again when the trial fails, each time for twice as long, up to the longest cool-down', () => {
    const breaker = new CircuitBreaker({ failures: 1, coolDownMs: 1_000, maxCoolDownMs: 5_000 });
    breaker.failure(0, 'e', false);
    const cooldowns: number[] = [];
    for (let now = 1_000; cooldowns.length < 4; ) {
      expect(breaker.check(now).kind).toBe('probe');
      breaker.failure(now, 'still down', true);
      const verdict = breaker.check(now);
      if (verdict.kind !== 'open') throw new Error('expected the breaker open');
      cooldowns.push(verdict.retryInMs);
      now += verdict.retryInMs;
    }
    expect(cooldowns).toEqual([2_000, 4_000, 5_000, 5_000]);
    // A success closes it and forgets the failed trials: the next opening is for the first cool-down again.
    breaker.success();
    breaker.failure(20_000, 'e', false);
    expect(breaker.check(20_000)).toEqual({ kind: 'open', retryInMs: 1_000 });
  });

  it('lets another trial through when one ends saying nothing of the destination', () => {
    const breaker = new CircuitBreaker({ failures: 1, coolDownMs: 1_000 });
    breaker.failure(0, 'e', false);
    expect(breaker.check(1_000).kind).toBe('probe');
    breaker.neutral(true);
    expect(breaker.check(1_000).kind).toBe('probe');
  });

  it('does not reopen for late failures of sends started before it opened', () => {
    const breaker = new CircuitBreaker({ failures: 1, coolDownMs: 1_000 });
    breaker.failure(0, 'e', false);
    breaker.failure(900, 'late', false);
    expect(breaker.check(1_000).kind).toBe('probe');
  });

  it('never opens with failures: 0', () => {
    const breaker = new CircuitBreaker({ failures: 0, coolDownMs: 1_000 });
    for (let i = 0; i < 100; i++) breaker.failure(i, 'e', false);
    expect(breaker.check(100)).toEqual({ kind: 'closed' });
  });
});

describe('circuit breaker state (the herald_delivery_circuit_breaker_state gauge)', () => {
  it('is closed, then open for the cool-down, then half-open until its trial ends', () => {
    const breaker = new CircuitBreaker({ failures: 1, coolDownMs: 1_000 });
    expect(breaker.state(0)).toBe('closed');
    breaker.failure(0, 'e', false);
    expect(breaker.state(999)).toBe('open');
    expect(breaker.state(1_000)).toBe('half-open');
    expect(breaker.check(1_000)).toEqual({ kind: 'probe' });
    expect(breaker.state(1_001)).toBe('half-open');
    breaker.failure(1_001, 'e', true);
    expect(breaker.state(1_002)).toBe('open');
    expect(breaker.check(3_001)).toEqual({ kind: 'probe' });
    breaker.success();
    expect(breaker.state(3_002)).toBe('closed');
  });
});
