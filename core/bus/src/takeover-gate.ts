import type { JsMsg } from '@nats-io/jetstream';

export interface Held {
  message: JsMsg;
  /** Stops keeping the held message alive at the server. */
  release: () => void;
}

export interface TakeoverGateOptions {
  /** The consumer's count of messages delivered and not acknowledged yet (`num_ack_pending`), now. */
  pending: () => Promise<number>;
  /** Hands a message on to be handled; resolves once it is on its way (the next one may follow). */
  pass: (held: Held) => Promise<void>;
  /** First and longest wait between two looks at the consumer while messages are held. */
  pollMs?: { min: number; max: number };
}

/**
 * Keeps an ordered consumer's order when this process begins pulling on it while messages it did not get may
 * still be out. A process that died with several events out gets them back only after the ack wait; one that
 * stopped handed some back at once and lost those still on the wire, which come back after the ack wait too;
 * one that is losing the partition may still be handling some. Meanwhile the server hands the next holder later
 * events at once, up to max_ack_pending. Handled in the order they arrive, an object's Running could be
 * evaluated before its Pending (the edge lost) or a stale Running after the next Pending (sent twice).
 *
 * So every message given to this process waits here until all the consumer has out are in this process's hands
 * (the server counts no more unacknowledged messages than it holds: whatever an earlier holder had is back, or
 * acknowledged by it); then they go on in stream order, whatever order they came in, and the gate stays open:
 * from then on this process is the only holder. A gate that holds nothing does not look at the consumer.
 * Redeliveries are not bound by max_ack_pending, so what is out always comes back.
 */
export class TakeoverGate {
  readonly #o: TakeoverGateOptions;
  readonly #poll: { min: number; max: number };
  #held: Held[] = [];
  #open = false;
  #closed = false;
  #looks = 0;
  #delay: number;
  #wake: (() => void) | undefined;
  readonly #done: Promise<void>;

  constructor(options: TakeoverGateOptions) {
    this.#o = options;
    this.#poll = options.pollMs ?? { min: 50, max: 1_000 };
    this.#delay = this.#poll.min;
    this.#done = this.#watch();
  }

  /** True once everything held was passed on: messages go straight on from then. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Looks at the consumer it took before it opened (1: at once, nothing else was out). */
  get looks(): number {
    return this.#looks;
  }

  /** Resolves once the gate is open (or closed). */
  done(): Promise<void> {
    return this.#done;
  }

  /** Takes a message that came while the gate is closed. */
  hold(message: JsMsg, release: () => void): void {
    this.#held.push({ message, release });
    // Maybe the last one missing: look now (a look per message, at most max_ack_pending of them).
    this.#delay = this.#poll.min;
    this.#wake?.();
  }

  /** Stops; returns what was not passed on, in stream order, for the caller to hand back. */
  close(): Held[] {
    this.#closed = true;
    this.#wake?.();
    return this.#held.splice(0).sort(byStreamOrder);
  }

  async #watch(): Promise<void> {
    while (!this.#closed) {
      if (this.#held.length) {
        let pending: number | undefined;
        try {
          this.#looks++;
          pending = await this.#o.pending();
        } catch {
          // No answer now (reconnecting): look again later; nothing passes meanwhile.
        }
        if (pending !== undefined && !this.#closed && pending <= this.#held.length) {
          this.#open = true;
          for (const held of this.#held.splice(0).sort(byStreamOrder)) await this.#o.pass(held);
          return;
        }
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
        // Holding nothing, only a message (or close) wakes it.
        const timer = this.#held.length ? setTimeout(wake, this.#delay) : undefined;
        this.#wake = wake;
      });
      if (this.#held.length) this.#delay = Math.min(this.#delay * 2, this.#poll.max);
    }
  }
}

function byStreamOrder(a: Held, b: Held): number {
  return a.message.seq - b.message.seq;
}
