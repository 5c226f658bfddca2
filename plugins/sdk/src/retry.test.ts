import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryAfterOf, sleepUnlessAborted, untilAborted, type Jitter } from './retry.ts';

const policy = (jitter: Jitter) => ({ baseMs: 1_000, maxMs: 10_000, jitter });

describe('backoffDelay', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 10_000],
    [60, 10_000],
    [0, 1_000],
  ])('without jitter, after failure %i waits %i ms (doubling up to max; 0 or below is the first)', (failures, expected) => {
    expect(backoffDelay(failures, policy('none'))).toBe(expected);
  });

  it.each([
    ['full', 0, 0],
    ['full', 0.5, 2_000],
    ['full', 0.999_999, 4_000],
    ['equal', 0, 2_000],
    ['equal', 0.5, 3_000],
    ['equal', 0.999_999, 4_000],
    ['none', 0.3, 4_000],
  ] as const)('with %s jitter and a random draw of %d, the third failure waits %i ms', (jitter, draw, expected) => {
    expect(backoffDelay(3, policy(jitter), () => draw)).toBe(expected);
  });

  it('jitters equally by default', () => {
    expect(backoffDelay(3, { baseMs: 1_000, maxMs: 10_000 }, () => 0)).toBe(2_000);
  });

  it('spreads the retries of work that failed together', () => {
    const delays = Array.from({ length: 50 }, () => backoffDelay(2, policy('equal')));
    expect(new Set(delays).size).toBeGreaterThan(40);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_000);
  });
});

describe('sleepUnlessAborted', () => {
  it('resolves true when the time is up, false when the signal aborts first or was aborted', async () => {
    await expect(sleepUnlessAborted(1, undefined)).resolves.toBe(true);
    await expect(sleepUnlessAborted(60_000, AbortSignal.abort())).resolves.toBe(false);
    const controller = new AbortController();
    const sleeping = sleepUnlessAborted(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBe(false);
  });
});

describe('retryAfterOf', () => {
  it('takes a finite, non-negative retryAfterMs from any error', () => {
    expect(retryAfterOf(Object.assign(new Error('x'), { retryAfterMs: 1_500 }))).toBe(1_500);
    expect(retryAfterOf(Object.assign(new Error('x'), { retryAfterMs: -1 }))).toBeUndefined();
    expect(retryAfterOf(Object.assign(new Error('x'), { retryAfterMs: Number.NaN }))).toBeUndefined();
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
    expect(retryAfterOf(undefined)).toBeUndefined();
  });
});

describe('HTTP retry rules', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['2', '5'], now)).toBe(2_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries 408, 425, 429 and 5xx but 501', () => {
    expect([200, 400, 404, 408, 425, 429, 499, 500, 501, 503, 599, 600].filter(isRetryableStatus)).toEqual([408, 425, 429, 500, 503, 599]);
  });
});

describe('untilAborted', () => {
  it('gives the promise\'s value or error while the signal has not aborted', async () => {
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('refused')), new AbortController().signal)).rejects.toThrow('refused');
  });

  it('rejects with the signal\'s reason when it aborts first, or has already', async () => {
    const controller = new AbortController();
    const pending = untilAborted(new Promise<never>(() => undefined), controller.signal);
    controller.abort(new Error('send deadline'));
    await expect(pending).rejects.toThrow('send deadline');
    await expect(untilAborted(Promise.resolve(1), controller.signal)).rejects.toThrow('send deadline');
  });
});
