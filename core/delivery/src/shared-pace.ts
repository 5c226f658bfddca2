import { createHash } from 'node:crypto';
import { systemClock, type Clock, type Logger, type PluginStore } from '@herald/plugin-sdk';

/** Where SharedPace keeps one key per destination: the bus's pace bucket, scoped to one service type. */
export type PaceStore = Pick<PluginStore, 'get' | 'create' | 'update'>;

export interface PaceRate {
  perSecond: number;
  burst: number;
}

export type Reservation =
  /** A turn is taken: send after `waitMs`. */
  | { kind: 'send'; waitMs: number }
  /** The next turn is `waitMs` away, further than the caller would wait: nothing is taken. */
  | { kind: 'later'; waitMs: number }
  /** The bucket could not be read or written (the bus is unavailable): the process's own limits apply alone. */
  | { kind: 'unshared' };

/**
 * When a destination may take its next turn, as GCRA (the generic cell rate algorithm) keeps it: one number,
 * the theoretical arrival time (`tat`), instead of a token count and a time. A turn is due at `tat` less the
 * burst's allowance (`burst - 1` intervals), and not before now; taking it moves `tat` one interval on from
 * whichever is later, `tat` or now. The same pace as a token bucket of `burst` tokens refilled at `perSecond`.
 */
export function nextTurn(tat: number, now: number, rate: PaceRate): { waitMs: number; tat: number } {
  const interval = 1_000 / rate.perSecond;
  const base = Math.max(tat, now);
  return { waitMs: Math.max(0, base - (rate.burst - 1) * interval - now), tat: base + interval };
}

/** The `tat` that keeps every turn until `untilMs` (a Retry-After), and resumes at the rate after it, without a burst. */
export function pausedTat(tat: number, untilMs: number, rate: PaceRate): number {
  return Math.max(tat, untilMs + ((rate.burst - 1) * 1_000) / rate.perSecond);
}

/** Writes that lost to another process's are tried again this often before the turns are left for later. */
const MAX_TRIES = 8;
/** Turns (and pauses) of one destination decided in one write, at most. */
const MAX_BATCH = 256;
/** Destinations whose pace this process remembers (their last `tat` and revision, to write without a read first). */
const MAX_REMEMBERED = 10_000;
/** A bucket that cannot be used is said at most this often per service type. */
const WARN_EVERY_MS = 30_000;

/** What a send (a turn) or a Retry-After (a pause) asks of a destination's pace, waiting for its write. */
type Ask = { kind: 'turn'; maxWaitMs: number; answer: (r: Reservation) => void } | { kind: 'pause'; untilMs: number; answer: () => void };

/**
 * One service type's rate limits shared by every sink process of an installation: a destination's pace is
 * one key on the bus (its `tat`, see nextTurn), taken by compare-and-set, so N replicas together send at the
 * rate one would. A Retry-After one process is told moves the key too, so the others wait as well.
 *
 * A process writes a destination's key one write at a time, each deciding every turn asked for since the last
 * (in the order asked), so its own sends never race each other and a busy destination costs a write per
 * round trip, not per send. It remembers the revision it wrote: while it alone sends to a destination, a
 * write is one round trip. A write that lost to another process's reads the key and tries again. The `tat`s
 * are the processes' clocks: a skew between them moves a turn by as much. A key unused for the bucket's TTL
 * (1 h) is gone; the destination starts again with a full burst.
 */
export class SharedPace {
  readonly #store: PaceStore;
  readonly #rate: PaceRate;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #serviceType: string;
  readonly #known = new Map<string, { tat: number; revision: number }>();
  /** Asks not written yet, by key; a key is here while a write of it runs. */
  readonly #asks = new Map<string, Ask[]>();
  #warnedAt = Number.NEGATIVE_INFINITY;

  constructor(options: { store: PaceStore; rate: PaceRate; serviceType: string; logger: Logger; clock?: Pick<Clock, 'now'> }) {
    this.#store = options.store;
    this.#rate = options.rate;
    this.#serviceType = options.serviceType;
    this.#logger = options.logger;
    const clock = options.clock ?? systemClock;
    this.#now = () => clock.now().getTime();
  }

  /** Takes the destination's next turn if it is due within `maxWaitMs`. */
  reserve(destination: string, maxWaitMs: number): Promise<Reservation> {
    return new Promise((answer) => this.#ask(destination, { kind: 'turn', maxWaitMs, answer }));
  }

  /** Keeps every process from sending to the destination for `ms` (its Retry-After). Best effort. */
  pause(destination: string, ms: number): Promise<void> {
    return new Promise((answer) => this.#ask(destination, { kind: 'pause', untilMs: this.#now() + ms, answer }));
  }

  #ask(destination: string, ask: Ask): void {
    const key = keyOf(destination);
    const waiting = this.#asks.get(key);
    if (waiting) {
      waiting.push(ask);
      return;
    }
    this.#asks.set(key, [ask]);
    void this.#write(key, destination);
  }

  /** Writes the key until no ask is left, each write answering the asks made before it (MAX_BATCH at most). */
  async #write(key: string, destination: string): Promise<void> {
    const waiting = this.#asks.get(key)!;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, MAX_BATCH);
      const answers = await this.#decide(key, destination, batch);
      batch.forEach((ask, i) => (ask.kind === 'turn' ? ask.answer(answers[i]!) : ask.answer()));
    }
    this.#asks.delete(key);
  }

  /** The answer to each ask of the batch, in order: turns taken (or not) and pauses written in one compare-and-set. */
  async #decide(key: string, destination: string, batch: readonly Ask[]): Promise<Reservation[]> {
    const interval = 1_000 / this.#rate.perSecond;
    try {
      return await this.#cas(
        key,
        (tat, now) => {
          let next = tat;
          const answers = batch.map((ask): Reservation => {
            if (ask.kind === 'pause') {
              next = pausedTat(next, ask.untilMs, this.#rate);
              return { kind: 'unshared' };
            }
            const turn = nextTurn(next, now, this.#rate);
            if (turn.waitMs > ask.maxWaitMs) return { kind: 'later', waitMs: turn.waitMs };
            next = turn.tat;
            return { kind: 'send', waitMs: turn.waitMs };
          });
          return next > tat ? { tat: next, result: answers } : { result: answers };
        },
        batch.map((): Reservation => ({ kind: 'later', waitMs: interval })),
      );
    } catch (err) {
      this.#unusable(err, destination);
      return batch.map(() => ({ kind: 'unshared' }));
    }
  }

  /**
   * Reads (when this process's last write is not known to be current), decides, and writes with the revision
   * read: `decide` returns the new `tat` to write, or none to leave the key as it is. `contended`: what to say
   * when every try lost to another process.
   */
  async #cas<T>(key: string, decide: (tat: number, now: number) => { tat?: number; result: T }, contended: T): Promise<T> {
    let known = this.#known.get(key);
    let read = known === undefined;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      if (read) {
        const entry = await this.#store.get(key);
        known = entry ? { tat: parseTat(entry.value), revision: entry.revision } : undefined;
      }
      const { tat, result } = decide(known?.tat ?? 0, this.#now());
      if (tat === undefined) return result;
      const value = String(tat);
      const revision = known ? await this.#store.update(key, value, known.revision) : await this.#store.create(key, value);
      if (revision !== undefined) {
        this.#remember(key, { tat, revision });
        return result;
      }
      read = true;
    }
    return contended;
  }

  #remember(key: string, state: { tat: number; revision: number }): void {
    this.#known.delete(key);
    this.#known.set(key, state);
    // The least recently written goes first: a destination it held is read once more when it comes back.
    if (this.#known.size > MAX_REMEMBERED) this.#known.delete(this.#known.keys().next().value!);
  }

  #unusable(err: unknown, destination: string): void {
    const now = this.#now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.#logger.warn(
      { err, serviceType: this.#serviceType, destination },
      `the shared rate limit of ${this.#serviceType} destinations cannot be read or written on the bus; this process keeps to its own until it can`,
    );
  }
}

/** A key per destination, of a bounded length whatever the recipient (an e-mail list, a URL). */
function keyOf(destination: string): string {
  return createHash('sha256').update(destination).digest().subarray(0, 16).toString('base64url');
}

/** A value that is not a number (not written by Herald) counts as a destination never paced. */
function parseTat(value: string): number {
  const tat = Number(value);
  return Number.isFinite(tat) ? tat : 0;
}
