/** One entry of the dedup state, with the revision needed for compare-and-set. */
export interface StateEntry {
  value: string;
  revision: number;
}

/**
 * Access to Herald's state bucket (NATS KV). Writes are compare-and-set, so two processes never both
 * claim the same key. Keys may hold any characters; the store encodes them.
 */
export interface StateStore {
  get(key: string): Promise<StateEntry | undefined>;
  /** Creates the key if absent; returns its revision, or undefined when it already exists. */
  create(key: string, value: string): Promise<number | undefined>;
  /** Replaces the value if the revision still matches; returns the new revision, or undefined on conflict. */
  update(key: string, value: string, revision: number): Promise<number | undefined>;
  /** Deletes the key (only at `revision` when given); returns false on a revision conflict. */
  delete(key: string, revision?: number): Promise<boolean>;
}
