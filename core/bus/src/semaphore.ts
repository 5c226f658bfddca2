/** Bounds concurrent work: `acquire` waits while `limit` holders are active. */
export class Semaphore {
  #active = 0;
  readonly #waiters: Array<() => void> = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with a release function; rejects with `onTimeout()` if no slot frees up within `timeoutMs`. */
  async acquire(timeoutMs = Number.POSITIVE_INFINITY, onTimeout: () => Error = () => new Error('no free slot')): Promise<() => void> {
    if (this.#active < this.#limit) {
      this.#active++;
    } else {
      await new Promise<void>((resolve, reject) => {
        const waiter = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = Number.isFinite(timeoutMs)
          ? setTimeout(() => {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              reject(onTimeout());
            }, timeoutMs)
          : undefined;
        this.#waiters.push(waiter);
      });
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
}
