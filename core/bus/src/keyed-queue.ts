import { Semaphore } from './semaphore.ts';

/**
 * Runs tasks of the same key one after another and tasks of different keys in parallel, with at most
 * `limit` running. `push` resolves once the task has a slot, so a producer slows down when all are busy.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #slots: Semaphore;
  readonly #all = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#slots = new Semaphore(limit);
  }

  async push(key: string, task: () => Promise<void>): Promise<void> {
    const release = await this.#slots.acquire();
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).catch(() => undefined).finally(release);
    this.#tails.set(key, run);
    this.#all.add(run);
    void run.finally(() => {
      this.#all.delete(run);
      if (this.#tails.get(key) === run) this.#tails.delete(key);
    });
  }

  /** Waits for the tasks of one key pushed so far. */
  async idle(key: string): Promise<void> {
    for (let tail = this.#tails.get(key); tail; tail = this.#tails.get(key)) await tail;
  }

  /** Waits for every task pushed so far. */
  async drain(): Promise<void> {
    while (this.#all.size) await Promise.all([...this.#all]);
  }
}
