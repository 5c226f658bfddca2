import type { PluginStore } from '@herald/plugin-sdk';

/** A `groupingKey` thread's parent message: where chat.update and replies go. */
export interface ThreadParent {
  ts: string;
  channel: string;
}

/** What the store says about a thread. */
export type ThreadState =
  | { kind: 'none' }
  | { kind: 'parent'; parent: ThreadParent; revision: number }
  /** Someone is posting the parent; `since` is when they claimed it (epoch ms). */
  | { kind: 'claimed'; since: number; revision: number };

type Stored = { ts: string; channel: string } | { claimed: number };

/**
 * The parents of `groupingKey` threads, in the sink's own store (NATS KV): they survive restarts and are
 * shared by replicas. Before posting a parent, a sender claims the thread's key with compare-and-set, so
 * two replicas never post two parents; the winner then writes the parent's ts over its claim.
 */
export class ThreadStore {
  readonly #store: PluginStore;

  constructor(store: PluginStore) {
    this.#store = store;
  }

  /** Threads are per configured service, recipient (as written in the subscription) and grouping key. */
  static key(service: string, recipient: string, groupingKey: string): string {
    return `thread:${JSON.stringify([service, recipient, groupingKey])}`;
  }

  async read(key: string): Promise<ThreadState> {
    const entry = await this.#store.get(key);
    if (!entry) return { kind: 'none' };
    let value: Stored;
    try {
      value = JSON.parse(entry.value) as Stored;
    } catch {
      // Not ours to read (written by hand?): treated as a claim that has long expired, so it is replaced.
      return { kind: 'claimed', since: 0, revision: entry.revision };
    }
    if ('ts' in value && typeof value.ts === 'string' && typeof value.channel === 'string') return { kind: 'parent', parent: { ts: value.ts, channel: value.channel }, revision: entry.revision };
    return { kind: 'claimed', since: 'claimed' in value && typeof value.claimed === 'number' ? value.claimed : 0, revision: entry.revision };
  }

  /** Claims the right to post the parent: over nothing, or over an expired claim at `revision`. Undefined when lost. */
  claim(key: string, now: number, revision?: number): Promise<number | undefined> {
    const value = JSON.stringify({ claimed: now } satisfies Stored);
    return revision === undefined ? this.#store.create(key, value) : this.#store.update(key, value, revision);
  }

  /** Records the posted parent over this sender's claim; false when the claim was taken over meanwhile. */
  async settle(key: string, claim: number, parent: ThreadParent): Promise<boolean> {
    return (await this.#store.update(key, JSON.stringify(parent satisfies Stored), claim)) !== undefined;
  }

  /** Gives a claim back after the parent could not be posted, so the next attempt can claim again. */
  async release(key: string, claim: number): Promise<void> {
    await this.#store.delete(key, claim);
  }
}
