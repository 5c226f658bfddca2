/**
 * Open while this process may publish (it holds the lease, or there is no leader election). Publishers
 * wait at it while it is closed, so that a process that lost the lease publishes nothing more and keeps its
 * place in the watch, in case it gets the lease back before anyone else had it.
 */
export class PublishGate {
  #open = false;
  readonly #waiters = new Set<() => void>();

  get isOpen(): boolean {
    return this.#open;
  }

  open(): void {
    this.#open = true;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  close(): void {
    this.#open = false;
  }

  /** Resolves at once while open, else once it opens; rejects with the signal's reason if that comes first. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const wake = () => {
        signal.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        this.#waiters.delete(wake);
        reject(signal.reason as Error);
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}
