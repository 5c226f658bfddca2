/** Bounds concurrent work: `acquire` waits while `limit` holders are active. */
export class Semaphore {
  #active = 0;
  readonly #waiters: Array<() => void> = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async acquire(): Promise<() => void> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#active--;
    };
  }

  get active(): number {
    return this.#active;
  }
}
