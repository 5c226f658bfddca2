/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Time is passed in (milliseconds), so
 * the bucket holds no timer and tests drive it with their own clock.
 *
 * A taker may reserve a token that is only due a little later (it goes into debt, as Go's rate.Limiter
 * does) and waits for it; a refund gives back a token that was reserved and not used.
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(options: { perSecond: number; burst: number }, now: number) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new RangeError('a token bucket needs perSecond > 0 and burst >= 1');
    this.#perMs = options.perSecond / 1_000;
    this.#burst = options.burst;
    this.#tokens = options.burst;
    this.#at = now;
  }

  /** Tokens at `now`; below zero while reservations are owed. */
  tokens(now: number): number {
    return Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#at) * this.#perMs);
  }

  /** Milliseconds from `now` until a token is there (0: one is there now). */
  waitFor(now: number): number {
    const tokens = this.tokens(now);
    return tokens >= 1 ? 0 : (1 - tokens) / this.#perMs;
  }

  /**
   * Takes a token if one is due within `maxWaitMs`, and returns how long to wait for it (0: send now).
   * Returns undefined, taking nothing, when the next token is further away.
   */
  take(now: number, maxWaitMs = 0): number | undefined {
    const wait = this.waitFor(now);
    if (wait > maxWaitMs) return undefined;
    this.#tokens = this.tokens(now) - 1;
    this.#at = Math.max(this.#at, now);
    return wait;
  }

  /** Gives back a token taken and not used (the send was called off). */
  refund(now: number): void {
    this.#tokens = Math.min(this.#burst, this.tokens(now) + 1);
    this.#at = Math.max(this.#at, now);
  }

  /** True when the bucket is full: it is then the same as a new one and can be forgotten. */
  full(now: number): boolean {
    return this.tokens(now) >= this.#burst;
  }

  /** Milliseconds between two tokens. */
  get intervalMs(): number {
    return 1 / this.#perMs;
  }
}
