import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('token bucket', () => {
  it('starts full, gives its burst at once, then one token per interval', () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0, undefined]);
    expect(bucket.waitFor(0)).toBe(500);
    expect(bucket.take(499)).toBeUndefined();
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(500)).toBeUndefined();
  });

  it('refills no further than its burst', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.full(100)).toBe(false);
    expect(bucket.full(200)).toBe(true);
    expect(bucket.tokens(60_000)).toBe(2);
  });

  it('lets a taker reserve a token due within its wait, and queues the next one behind it', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 1 }, 0);
    expect(bucket.take(0, 100)).toBe(0);
    expect(bucket.take(0, 100)).toBe(100);
    // The next token is owed to the taker above: the one after it is due at 200 ms, beyond this wait.
    expect(bucket.take(0, 100)).toBeUndefined();
    expect(bucket.take(0, 200)).toBe(200);
    expect(bucket.tokens(0)).toBe(-2);
  });

  it('takes back a token that was not used', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 0);
    bucket.take(0);
    bucket.refund(10);
    expect(bucket.take(10)).toBe(0);
    bucket.refund(10);
    bucket.refund(10);
    expect(bucket.tokens(10)).toBe(1);
  });

  it('never lets more than burst + rate·t through in any window, whatever the takers do', () => {
    const perSecond = 7;
    const burst = 4;
    const bucket = new TokenBucket({ perSecond, burst }, 0);
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const sent: number[] = [];
    for (let now = 0; now < 20_000; now += Math.floor(random() * 60)) {
      const wait = bucket.take(now, random() < 0.5 ? 0 : 150);
      if (wait !== undefined) sent.push(now + wait);
    }
    sent.sort((a, b) => a - b);
    expect(sent.length).toBeGreaterThan(100);
    for (let i = 0; i < sent.length; i++) {
      for (let j = i; j < sent.length; j++) expect(j - i + 1).toBeLessThanOrEqual(burst + (perSecond * (sent[j]! - sent[i]!)) / 1_000 + 1e-9);
    }
  });

  it('refuses a rate or burst it cannot honour', () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 1 }, 0)).toThrow(RangeError);
    expect(() => new TokenBucket({ perSecond: 1, burst: 0 }, 0)).toThrow(RangeError);
  });
});
