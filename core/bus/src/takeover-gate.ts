import type { JsMsg } from '@nats-io/jetstream';

export interface TakeoverGateOptions {
  /** The last stream sequence the consumer had delivered when this process began pulling on it. */
  through: number;
  /** The consumer's ack floor now (a stream sequence): every message at or below it is acknowledged. */
  ackFloor: () => Promise<number>;
  /** First and longest wait between two looks at the ack floor. */
  pollMs?: { min: number; max: number };
}

interface Held {
  message: JsMsg;
  /** Stops keeping the held message alive at the server. */
  release: () => void;
}

/**
 * Keeps an ordered consumer's order when this process begins pulling on it while messages it did not get are
 * still out: a process that died (or stopped) with several events unacknowledged gets them back only after the
 * ack wait, but the server hands the next holder later events at once, up to max_ack_pending. Handled in that
 * order, an object's Running could be evaluated before its Pending (the edge lost) or a stale Running after
 * the next Pending (sent twice). So later messages (above `through`) are held, kept alive, until every message
 * at or below `through` is acknowledged (the server's ack floor passed it), whoever acknowledged it; the ones
 * left outstanding come back to this process as redeliveries and are handled meanwhile.
 */
export class TakeoverGate {
  readonly through: number;
  readonly #ackFloor: () => Promise<number>;
  readonly #poll: { min: number; max: number };
  #held: Held[] = [];
  #open = false;
  #closed = false;
  #delay: number;
  #wake: (() => void) | undefined;
  readonly #opened: Promise<Held[]>;

  constructor(options: TakeoverGateOptions) {
    this.through = options.through;
    this.#ackFloor = options.ackFloor;
    this.#poll = options.pollMs ?? { min: 50, max: 1_000 };
    this.#delay = this.#poll.min;
    this.#opened = this.#watch();
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** A message that must wait: delivered after `through` while the gate is closed. */
  mustWait(m: JsMsg): boolean {
    return !this.#open && m.seq > this.through;
  }

  hold(message: JsMsg, release: () => void): void {
    this.#held.push({ message, release });
  }

  /** A message left outstanding was handled: the floor may have moved, look now. */
  nudge(): void {
    this.#delay = this.#poll.min;
    this.#wake?.();
  }

  /** The held messages, in the order they came, once every message up to `through` is acknowledged; none if closed first. */
  opened(): Promise<Held[]> {
    return this.#opened;
  }

  /** Stops looking at the floor; returns what is still held (for the caller to hand back). */
  close(): Held[] {
    this.#closed = true;
    this.#wake?.();
    return this.#open ? [] : this.#held.splice(0);
  }

  async #watch(): Promise<Held[]> {
    while (!this.#closed) {
      try {
        if ((await this.#ackFloor()) >= this.through) break;
      } catch {
        // No answer now (reconnecting): look again later; nothing is released meanwhile.
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
        const timer = setTimeout(wake, this.#delay);
        this.#wake = wake;
      });
      this.#delay = Math.min(this.#delay * 2, this.#poll.max);
    }
    if (this.#closed) return [];
    this.#open = true;
    return this.#held.splice(0);
  }
}
