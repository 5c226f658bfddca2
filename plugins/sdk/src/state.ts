/** One entry of the dedup state, with the revision needed for compare-and-set. */
export interface StateEntry {
  value: string;
  revision: number;
}

/**
 * Access to Herald's state bucket (NATS KV). State belongs to one object (its UID), as Argo keeps it in
 * the object's own annotation. Writes are compare-and-set, so two processes never both claim the same
 * key. Keys may hold any characters; the store encodes them.
 */
export interface StateStore {
  get(objectUid: string, key: string): Promise<StateEntry | undefined>;
  /** Creates the key if absent; returns its revision, or undefined when it already exists. */
  create(objectUid: string, key: string, value: string): Promise<number | undefined>;
  /** Replaces the value if the revision still matches; returns the new revision, or undefined on conflict. */
  update(objectUid: string, key: string, value: string, revision: number): Promise<number | undefined>;
  /** Deletes the key (only at `revision` when given); returns false on a revision conflict. */
  delete(objectUid: string, key: string, revision?: number): Promise<boolean>;
  /** Every key the object has, with its value. */
  entries(objectUid: string): Promise<Map<string, StateEntry>>;
}
