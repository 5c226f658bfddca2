export type BreakerState = 'closed' | 'half-open' | 'open';

/** What a breaker says about sending now. */
export type BreakerVerdict =
  | { kind: 'closed' }
  /** The cool-down is over: this send is the one trial that decides whether the breaker closes. */
  | { kind: 'probe' }
  /** Open: nothing is sent until the cool-down ends. */
  | { kind: 'open'; retryInMs: number }
  /** Half-open with its trial still in flight. */
  | { kind: 'probing' };

/**
 * Closed, it counts consecutive failures; at `failures` it opens for `coolDownMs`, and sends fail at once
 * instead of waiting for a destination that is down. After the cool-down one send goes through as a
 * trial: its success closes the breaker, its failure opens it again for twice as long as the last time, up
 * to `maxCoolDownMs` (a trial that hangs costs a send slot, so a destination down for long is tried
 * rarely). `failures: 0` never opens. Time is passed in (milliseconds).
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #maxCoolDownMs: number;
  #failures = 0;
  /** Failed trials since the breaker last closed. */
  #failedTrials = 0;
  #openUntil: number | undefined;
  #probing = false;
  #lastError: string | undefined;

  constructor(options: { failures: number; coolDownMs: number; maxCoolDownMs?: number }) {
    this.#threshold = options.failures;
    this.#coolDownMs = options.coolDownMs;
    this.#maxCoolDownMs = Math.max(options.coolDownMs, options.maxCoolDownMs ?? options.coolDownMs);
  }

  check(now: number): BreakerVerdict {
    if (this.#openUntil === undefined) return { kind: 'closed' };
    if (now < this.#openUntil) return { kind: 'open', retryInMs: this.#openUntil - now };
    if (this.#probing) return { kind: 'probing' };
    this.#probing = true;
    return { kind: 'probe' };
  }

  /** The destination accepted a send: whatever the state, it is healthy again. */
  success(): void {
    this.#failures = 0;
    this.#failedTrials = 0;
    this.#openUntil = undefined;
    this.#probing = false;
  }

  /** A send failed in a way that says the destination is unwell (a timeout, a 5xx, a network error). */
  failure(now: number, error: string, probe: boolean): void {
    this.#failures++;
    this.#lastError = error;
    if (probe) {
      this.#probing = false;
      this.#failedTrials++;
      this.#openUntil = now + Math.min(this.#coolDownMs * 2 ** this.#failedTrials, this.#maxCoolDownMs);
    } else if (this.#openUntil === undefined && this.#threshold > 0 && this.#failures >= this.#threshold) {
      this.#openUntil = now + this.#coolDownMs;
    }
  }

  /** The send ended in a way that says nothing of the destination's health (called off, throttled, refused). */
  neutral(probe: boolean): void {
    if (probe) this.#probing = false;
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.#failures;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Where the breaker stands at `now`: half-open once the cool-down is over (its trial due or in flight). */
  state(now: number): BreakerState {
    if (this.#openUntil === undefined) return 'closed';
    return now < this.#openUntil ? 'open' : 'half-open';
  }

  /** Closed with no failure counted: the same as a new breaker. */
  get pristine(): boolean {
    return this.#openUntil === undefined && this.#failures === 0;
  }
}
