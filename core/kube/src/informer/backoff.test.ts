import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const options = { initialMs: 1_000, maxMs: 30_000 };

describe('backoff', () => {
  it('doubles from initial up to max', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 50].map((attempt) => backoffDelay(attempt, options, () => 0.999999));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('jitters between half and all of the step, never beyond max', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(2_000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(3_000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(1 + (i % 12), options);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(30_000);
    }
  });

  it('treats attempt 0 or below as the first', () => {
    expect(backoffDelay(0, options, () => 0.999999)).toBe(1_000);
  });
});
