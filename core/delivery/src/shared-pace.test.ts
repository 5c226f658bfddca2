import { describe, expect, it } from 'vitest';
import { nextTurn, pausedTat, type PaceRate } from './shared-pace.ts';

/** The waits of `count` turns asked for at the times given, one pace carried from each to the next. */
function turns(rate: PaceRate, at: number[]): number[] {
  let tat = 0;
  return at.map((now) => {
    const turn = nextTurn(tat, now, rate);
    tat = turn.tat;
    return turn.waitMs;
  });
}

describe('nextTurn (GCRA)', () => {
  it.each([
    { rate: { perSecond: 10, burst: 1 }, at: [0, 0, 0, 0], waits: [0, 100, 200, 300], why: 'no burst: one turn per interval' },
    { rate: { perSecond: 10, burst: 3 }, at: [0, 0, 0, 0, 0], waits: [0, 0, 0, 100, 200], why: 'a burst of 3 at once, then the rate' },
    { rate: { perSecond: 1, burst: 2 }, at: [0, 0, 500, 5_000, 5_000, 5_000], waits: [0, 0, 500, 0, 0, 1_000], why: 'an idle spell refills the burst, no more' },
    { rate: { perSecond: 0.5, burst: 1 }, at: [1_000, 1_500, 10_000], waits: [0, 1_500, 0], why: 'a slow rate' },
  ])('$why', ({ rate, at, waits }) => {
    expect(turns(rate, at)).toEqual(waits);
  });

  it('keeps the pace of a token bucket of the same rate and burst over a long run', () => {
    const rate = { perSecond: 4, burst: 5 };
    // 100 turns asked for at once: 5 at once, then one every 250 ms.
    const waits = turns(rate, Array.from({ length: 100 }, () => 0));
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits[99]).toBe(95 * 250);
  });
});

describe('pausedTat (Retry-After)', () => {
  it('holds every turn until the pause ends, then resumes at the rate without a burst', () => {
    const rate = { perSecond: 10, burst: 3 };
    let tat = pausedTat(0, 2_000, rate);
    const waits = [0, 0, 0].map(() => {
      const turn = nextTurn(tat, 0, rate);
      tat = turn.tat;
      return turn.waitMs;
    });
    expect(waits).toEqual([2_000, 2_100, 2_200]);
  });

  it('never brings a pace forward: a pause shorter than the turns already taken changes nothing', () => {
    const rate = { perSecond: 1, burst: 1 };
    expect(pausedTat(10_000, 2_000, rate)).toBe(10_000);
  });
});
