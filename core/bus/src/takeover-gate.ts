import type { JsMsg } from '@nats-io/jetstream';

export interface Held {
  message: JsMsg;
  /** Stops keeping the held message alive at the server. */
  release: () => void;
}

/** What the server says of a consumer now. */
export interface ConsumerState {
  /** Messages delivered and not acknowledged yet (`num_ack_pending`). */
  pending: number;
  /** The ack floor's stream sequence: every message at or below it is acknowledged. */
  floor: number;
}

export interface TakeoverGateOptions {
  /** The last stream sequence the consumer had delivered when this process began pulling on it. */
  through: number;
  state: () => Promise<ConsumerState>;
  /** Hands a message on to be handled; resolves once it is on its way (the next one may follow). */
  pass: (held: Held) => Promise<void>;
  /** First and longest wait between two looks at the consumer. */
  pollMs?: { min: number; max: number };
}

/**
 * Keeps an ordered consumer's order when this process begins pulling on it while messages it did not get are
 * still out (`num_ack_pending` > 0). A process that died with several events out gets them back only after the
 * ack wait; one that stopped handed some back at once and lost those still on the wire, which come back after
 * the ack wait too. Meanwhile the server hands the next holder later events at once, up to max_ack_pending.
 * Handled in the order they arrive, an object's Running could be evaluated before its Pending (the edge lost)
 * or a stale Running after the next Pending (sent twice).
 *
 * So every message waits here until all that are out are in this process's hands (the server counts no more
 * unacknowledged messages than it holds), or acknowledged elsewhere (the ack floor passed `through`); then
 * those that were out go on in stream order, whatever order they came back in, and the later ones after them
 * in the order they came. Redeliveries are not bound by max_ack_pending, so what is out always comes back.
 */
export class TakeoverGate {
  readonly through: number;
  readonly #o: TakeoverGateOptions;
  readonly #poll: { min: number; max: number };
  /** Messages that were out when the gate was made. */
  #returning: Held[] = [];
  /** Later messages, in the order they came. */
  #later: Held[] = [];
  #open = false;
  #closed = false;
  #delay: number;
  #wake: (() => void) | undefined;
  readonly #done: Promise<void>;

  constructor(options: TakeoverGateOptions) {
    this.through = options.through;
    this.#o = options;
    this.#poll = options.pollMs ?? { min: 50, max: 1_000 };
    this.#delay = this.#poll.min;
    this.#done = this.#watch();
  }

  /** True once what was out and everything held was passed on: messages go straight on from then. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Resolves once the gate is open (or closed). */
  done(): Promise<void> {
    return this.#done;
  }

  /** Takes a message that came while the gate is closed. */
  hold(message: JsMsg, release: () => void): void {
    const held = { message, release };
    if (message.seq > this.through) this.#later.push(held);
    else this.#returning.push(held);
    // Maybe the last one missing: look now (a look per message, at most max_ack_pending of them).
    this.#delay = this.#poll.min;
    this.#wake?.();
  }

  /** Stops; returns what was not passed on, in stream order, for the caller to hand back. */
  close(): Held[] {
    this.#closed = true;
    this.#wake?.();
    return [...this.#returning.splice(0), ...this.#later.splice(0)].sort(byStreamOrder);
  }

  async #watch(): Promise<void> {
    while (!this.#closed) {
      let state: ConsumerState | undefined;
      try {
        state = await this.#o.state();
      } catch {
        // No answer now (reconnecting): look again later; nothing passes meanwhile.
      }
      const inHand = this.#returning.length + this.#later.length;
      if (state && !this.#closed && (state.pending <= inHand || state.floor >= this.through)) {
        this.#open = true;
        for (const held of this.#returning.splice(0).sort(byStreamOrder)) await this.#o.pass(held);
        for (const held of this.#later.splice(0)) await this.#o.pass(held);
        return;
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
  }
}

function byStreamOrder(a: Held, b: Held): number {
  return a.message.seq - b.message.seq;
}
