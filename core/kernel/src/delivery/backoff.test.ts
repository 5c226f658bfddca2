import { describe, expect, it } from 'vitest';
import { backoffDelay, type Jitter } from './backoff.ts';

const policy = (jitter: Jitter) => ({ baseMs: 1_000, maxMs: 10_000, jitter });

describe('backoff', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 10_000],
    [60, 10_000],
  ])('without jitter, after failure %i waits %i ms (doubling up to max)', (failures, expected) => {
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

  it('spreads the retries of notifications that failed together', () => {
    const delays = Array.from({ length: 50 }, () => backoffDelay(2, policy('equal')));
    expect(new Set(delays).size).toBeGreaterThan(40);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_000);
  });
});
