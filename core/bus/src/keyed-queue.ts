import { Semaphore } from './semaphore.ts';

/**
 * Runs tasks of the same key one after another and tasks of different keys in parallel, with at most
 * `limit` running; tasks of several keys can be waited for together as a group. `push` resolves once the task
 * has a slot, so a producer slows down when all are busy.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #slots: Semaphore;
  readonly #all = new Set<Promise<void>>();
  readonly #groups = new Map<string, Set<Promise<void>>>();

  constructor(limit: number) {
    this.#slots = new Semaphore(limit);
  }

  /** Runs `task` after the tasks pushed before with the same `key`; `idle(group)` waits for it when a group is given. */
  async push(key: string, task: () => Promise<void>, group?: string): Promise<void> {
    const release = await this.#slots.acquire();
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).catch(() => undefined).finally(release);
    this.#tails.set(key, run);
    this.#all.add(run);
    // Only grouped tasks are tracked by group: an unordered subscription pushes one key per message.
    let members: Set<Promise<void>> | undefined;
    if (group !== undefined) {
      members = this.#groups.get(group);
      if (!members) this.#groups.set(group, (members = new Set()));
      members.add(run);
    }
    void run.finally(() => {
      this.#all.delete(run);
      if (this.#tails.get(key) === run) this.#tails.delete(key);
      if (members && group !== undefined) {
        members.delete(run);
        if (members.size === 0 && this.#groups.get(group) === members) this.#groups.delete(group);
      }
    });
  }

  /** Waits for the tasks of one group pushed so far (those pushed meanwhile too). */
  async idle(group: string): Promise<void> {
    for (let members = this.#groups.get(group); members?.size; members = this.#groups.get(group)) await Promise.all([...members]);
  }

  /** Waits for every task pushed so far. */
  async drain(): Promise<void> {
    while (this.#all.size) await Promise.all([...this.#all]);
  }
}
