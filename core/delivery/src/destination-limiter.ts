import { systemClock, type Clock } from '@herald/plugin-sdk';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.ts';
import type { DeliveryPolicy } from './delivery-policy.ts';
import type { Reservation } from './shared-pace.ts';
import { TokenBucket } from './token-bucket.ts';
import { processWaitingRoom, type WaitingRoom } from './waiting-room.ts';

/** Why a notification is not sent now but handed back to come again later (no attempt is counted). */
export type AsideReason = 'rate limited' | 'busy' | 'throttled';

export type Admission =
  /** Send after `waitMs` (a wait for a token), then report the outcome on the permit. */
  | { kind: 'send'; waitMs: number; permit: Permit }
  /**
   * Every send slot of the destination is taken: wait in the process for one. `ready` settles with the
   * admission the notification gets when a slot frees (a send, or what a breaker opened meanwhile says);
   * `cancel` gives up the place in the queue (false: too late, `ready` has an admission to honour).
   */
  | { kind: 'wait'; reason: 'busy'; ready: Promise<Admission>; cancel(): boolean }
  | { kind: 'aside'; reason: AsideReason; delayMs: number }
  /** The destination's breaker is open (or half-open with its trial in flight): fail at once, counted as an attempt. */
  | { kind: 'open'; retryInMs: number; failures: number; lastError: string | undefined };

export type Outcome =
  | { kind: 'success' }
  /** A failure that says the destination is unwell: a timeout, a 5xx, a network error. */
  | { kind: 'failure'; error: string }
  /** The destination asked for a pause (Retry-After): the whole destination waits that long. */
  | { kind: 'throttled'; retryAfterMs: number }
  /** An outcome that says nothing of the destination's health, e.g. a refusal of this one notification. */
  | { kind: 'neutral' }
  /** Nothing was sent after all (shutdown during a wait): the token goes back. */
  | { kind: 'called off' };

export interface Permit {
  /** Ends the send: frees its slot and feeds the breaker and the latency estimate. Idempotent. */
  done(outcome: Outcome): void;
}

/** A notification waiting in the process for a send slot of its destination. */
interface Waiter {
  admit(admission: Admission): void;
}

interface Destination {
  /** Notifications waiting for a send slot, first come first served. */
  waiters: Waiter[];
  bucket: TokenBucket | undefined;
  breaker: CircuitBreaker | undefined;
  /** Start times of the sends in flight. */
  starts: number[];
  /** Moving average of send durations. */
  latencyMs: number;
  /** When the last notification stepped aside is due back: the next one is given a later turn. */
  asideUntil: number;
  /** Retry-After from the destination: nothing is sent before. */
  pausedUntil: number;
  /**
   * Consecutive failures. With a breaker, while there are any, one send at a time: a destination going down
   * ties up one send slot (and one partition) while the breaker counts, not `perDestination` of them.
   */
  failing: number;
  lastUsed: number;
}

/** A notification is never handed back for longer than this; one whose turn is later comes back and asks again. */
export const MAX_ASIDE_MS = 60_000;
/**
 * A token due within this is waited for in the process (whatever the rate limit's maxWait): a redelivery
 * costs more than the wait, and the subscriber keeps the message's ack wait from running out meanwhile.
 */
export const MAX_TOKEN_WAIT_MS = 10_000;
const MIN_ASIDE_MS = 20;
const INITIAL_LATENCY_MS = 100;
const SWEEP_EVERY_MS = 60_000;
/** An idle destination whose state differs from a new one's (a breaker with failures) is forgotten after this. */
const FORGET_AFTER_MS = 10 * 60_000;

/**
 * Per-destination admission for one service type: a token bucket, at most `perDestination` sends in
 * flight (one while its last send failed, with a breaker), a circuit breaker, and Retry-After pauses. It
 * holds no timer: it answers at once with send (after a wait for a token due within MAX_TOKEN_WAIT_MS), wait
 * (for a send slot, handed over when a send ends), step aside (with a delay that gives the destination's
 * notifications turns one service interval apart), or open. Waiting in the process is bounded per
 * destination (a quarter of its consumer's maxAckPending) and per process (the waiting room); past either, a
 * notification steps aside through the bus, so a busy destination never holds most of its consumer's messages.
 * Destinations idle long enough are forgotten, so memory follows the destinations in use. Time comes from
 * `clock` (the shared system clock unless a test moves its own).
 */
export class DestinationLimiter {
  readonly #policy: DeliveryPolicy;
  readonly #now: () => number;
  readonly #destinations = new Map<string, Destination>();
  readonly #room: WaitingRoom;
  #sweptAt: number;

  constructor(policy: DeliveryPolicy, options: { clock?: Pick<Clock, 'now'>; room?: WaitingRoom } = {}) {
    this.#policy = policy;
    this.#room = options.room ?? processWaitingRoom;
    const clock = options.clock ?? systemClock;
    this.#now = () => clock.now().getTime();
    this.#sweptAt = this.#now();
  }

  admit(key: string): Admission {
    const now = this.#now();
    if (now - this.#sweptAt >= SWEEP_EVERY_MS) this.sweep();
    const d = this.#destination(key, now);
    d.lastUsed = now;
    // Those already waiting for a slot go first.
    return d.waiters.length > 0 ? this.#wait(d, now) : this.#admitNow(d, now);
  }

  #admitNow(d: Destination, now: number): Admission {
    if (now < d.pausedUntil) return this.#aside(d, now, 'throttled', d.pausedUntil - now);

    const verdict = d.breaker?.check(now) ?? { kind: 'closed' };
    if (verdict.kind === 'open') return { kind: 'open', retryInMs: verdict.retryInMs, failures: d.breaker!.failures, lastError: d.breaker!.lastError };
    if (verdict.kind === 'probing') return { kind: 'open', retryInMs: this.#expectedMs(d, now), failures: d.breaker!.failures, lastError: d.breaker!.lastError };
    const probe = verdict.kind === 'probe';

    if (d.starts.length >= this.#slots(d)) {
      if (probe) d.breaker!.neutral(true);
      return this.#wait(d, now);
    }
    let waitMs = d.bucket ? d.bucket.take(now, this.#policy.rateLimit!.maxWaitMs) : 0;
    // A token due a little later than maxWait is still waited for in the process, while the room has a seat.
    let seated = false;
    if (waitMs === undefined && d.bucket!.waitFor(now) <= MAX_TOKEN_WAIT_MS && (seated = this.#room.enter())) waitMs = d.bucket!.take(now, MAX_TOKEN_WAIT_MS);
    if (waitMs === undefined) {
      if (probe) d.breaker!.neutral(true);
      return this.#aside(d, now, 'rate limited', d.bucket!.waitFor(now));
    }
    const start = now + waitMs;
    d.starts.push(start);
    let open = true;
    const done = (outcome: Outcome) => {
      if (!open) return;
      open = false;
      if (seated) this.#room.leave();
      const end = this.#now();
      d.starts.splice(d.starts.indexOf(start), 1);
      d.lastUsed = end;
      if (outcome.kind === 'called off') {
        d.bucket?.refund(end);
        d.breaker?.neutral(probe);
      } else {
        d.latencyMs += 0.2 * (Math.max(0, end - start) - d.latencyMs);
        if (outcome.kind === 'success') {
          d.failing = 0;
          d.breaker?.success();
        } else if (outcome.kind === 'failure') {
          d.failing++;
          d.breaker?.failure(end, outcome.error, probe);
        } else {
          d.breaker?.neutral(probe);
        }
        if (outcome.kind === 'throttled') d.pausedUntil = Math.max(d.pausedUntil, end + outcome.retryAfterMs);
      }
      this.#wake(d, end);
    };
    return { kind: 'send', waitMs, permit: { done } };
  }

  /**
   * A send this process's limits admitted, paced as well by a rate limit shared with the other sink processes
   * (SharedPace): `reserve` takes the destination's turn there. A turn due within the rate limit's maxWait is
   * waited for, or within MAX_TOKEN_WAIT_MS while the waiting room has a seat, as a token of the process's own
   * bucket is. A turn further away gives the send's token and slot back and steps aside until then, in its
   * own turn among the others stepped aside. A shared pace that cannot be used leaves the process's limits alone.
   */
  async paced(key: string, admission: Extract<Admission, { kind: 'send' }>, reserve: (maxWaitMs: number) => Promise<Reservation>): Promise<Exclude<Admission, { kind: 'wait' }>> {
    const maxWaitMs = this.#policy.rateLimit?.maxWaitMs ?? 0;
    const seated = this.#room.enter();
    let turn: Reservation;
    try {
      turn = await reserve(seated ? Math.max(maxWaitMs, MAX_TOKEN_WAIT_MS) : maxWaitMs);
    } catch (err) {
      if (seated) this.#room.leave();
      admission.permit.done({ kind: 'called off' });
      throw err;
    }
    const staySeated = seated && turn.kind === 'send' && turn.waitMs > maxWaitMs;
    if (seated && !staySeated) this.#room.leave();
    if (turn.kind === 'unshared') return admission;
    if (turn.kind === 'later') {
      admission.permit.done({ kind: 'called off' });
      const now = this.#now();
      return this.#aside(this.#destination(key, now), now, 'rate limited', turn.waitMs);
    }
    const waitMs = Math.max(admission.waitMs, turn.waitMs);
    if (!staySeated) return { ...admission, waitMs };
    let seat = true;
    const done = (outcome: Outcome) => {
      if (seat) this.#room.leave();
      seat = false;
      admission.permit.done(outcome);
    };
    return { kind: 'send', waitMs, permit: { done } };
  }

  /**
   * Every slot is taken: the notification waits in the process for one, behind those already waiting, while
   * fewer than #maxWaiting wait for the destination and the process's room has a seat. Otherwise it steps aside.
   */
  #wait(d: Destination, now: number): Admission {
    if (d.waiters.length >= this.#maxWaiting(d) || !this.#room.enter()) {
      return this.#aside(d, now, 'busy', (this.#expectedMs(d, now) * (1 + d.waiters.length / this.#slots(d))) / this.#policy.perDestination);
    }
    const { promise, resolve } = Promise.withResolvers<Admission>();
    const waiter: Waiter = { admit: resolve };
    d.waiters.push(waiter);
    const cancel = () => {
      const at = d.waiters.indexOf(waiter);
      if (at < 0) return false;
      d.waiters.splice(at, 1);
      this.#room.leave();
      return true;
    };
    return { kind: 'wait', reason: 'busy', ready: promise, cancel };
  }

  /**
   * A send ended: the first waiting get their admission now, in order, as slots allow. While the
   * destination is paused or its breaker open, every one waiting gets that answer at once (no slot is
   * needed to be told), as it would have on coming back through the bus.
   */
  #wake(d: Destination, now: number): void {
    const refused = () => now < d.pausedUntil || d.breaker?.state(now) === 'open';
    while (d.waiters.length > 0 && (d.starts.length < this.#slots(d) || refused())) {
      const waiter = d.waiters.shift()!;
      this.#room.leave();
      waiter.admit(this.#admitNow(d, now));
    }
  }

  /**
   * Notifications that may wait for the destination's slots: a quarter of its consumer's ack-pending
   * messages (at least its slots), so the other destinations of the type always have most of them; one
   * while it is failing (with a breaker), so a destination going down holds up hardly any.
   */
  #maxWaiting(d: Destination): number {
    return d.failing > 0 && d.breaker ? 1 : Math.max(this.#policy.perDestination, Math.floor(this.#policy.maxAckPending / 4));
  }

  /** Sends the destination may have in flight: one while its last send failed (with a breaker). */
  #slots(d: Destination): number {
    return d.failing > 0 && d.breaker ? 1 : this.#policy.perDestination;
  }

  /** Forgets the destinations that are idle: nothing in flight or due back, and a full bucket and closed breaker (or long unused). */
  sweep(): void {
    const now = this.#now();
    this.#sweptAt = now;
    for (const [key, d] of this.#destinations) {
      const quiet = d.starts.length === 0 && d.waiters.length === 0 && now >= d.pausedUntil && now >= d.asideUntil;
      const fresh = d.failing === 0 && (d.bucket?.full(now) ?? true) && (d.breaker?.pristine ?? true);
      if (quiet && (fresh || now - d.lastUsed >= FORGET_AFTER_MS)) this.#destinations.delete(key);
    }
  }

  /** The breaker state of each destination remembered (none without breakers). */
  *breakerStates(): Iterable<[key: string, state: BreakerState]> {
    const now = this.#now();
    for (const [key, d] of this.#destinations) if (d.breaker) yield [key, d.breaker.state(now)];
  }

  /** Destinations remembered. */
  get size(): number {
    return this.#destinations.size;
  }

  #destination(key: string, now: number): Destination {
    let d = this.#destinations.get(key);
    if (!d) {
      const { rateLimit, circuitBreaker } = this.#policy;
      d = {
        waiters: [],
        bucket: rateLimit ? new TokenBucket(rateLimit, now) : undefined,
        breaker: circuitBreaker ? new CircuitBreaker(circuitBreaker) : undefined,
        starts: [],
        latencyMs: INITIAL_LATENCY_MS,
        asideUntil: 0,
        pausedUntil: 0,
        failing: 0,
        lastUsed: now,
      };
      this.#destinations.set(key, d);
    }
    return d;
  }

  /** How long a send to this destination takes: the moving average, or longer while one has been running longer. */
  #expectedMs(d: Destination, now: number): number {
    const oldest = d.starts.length ? now - Math.min(...d.starts) : 0;
    return Math.max(d.latencyMs, oldest);
  }

  /**
   * Hands a notification back for at least `waitMs`, and after the ones already stepped aside: each gets its
   * own turn, one service interval (a token, or a send slot) after the previous, so they do not all come
   * back at once.
   */
  #aside(d: Destination, now: number, reason: AsideReason, waitMs: number): Extract<Admission, { kind: 'aside' }> {
    const interval = Math.max(d.bucket?.intervalMs ?? 0, this.#expectedMs(d, now) / this.#policy.perDestination);
    const due = Math.max(now + waitMs, d.asideUntil);
    if (due - now > MAX_ASIDE_MS) return { kind: 'aside', reason, delayMs: MAX_ASIDE_MS };
    d.asideUntil = due + interval;
    return { kind: 'aside', reason, delayMs: Math.max(MIN_ASIDE_MS, Math.ceil(due - now)) };
  }
}
