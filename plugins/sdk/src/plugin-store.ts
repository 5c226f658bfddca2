/** One key of a plugin's store, with the revision needed for compare-and-set. */
export interface StoreEntry {
  value: string;
  revision: number;
}

/**
 * Durable keys of one plugin (a NATS KV bucket shared by every plugin, namespaced by the plugin's id): a
 * plugin sees its own keys only, and never Herald's dedup claims. Compare-and-set writes let replicas of
 * a plugin share keys safely. Keys may hold any characters; the store encodes them.
 */
export interface PluginStore {
  get(key: string): Promise<StoreEntry | undefined>;
  /** Creates the key if absent; returns its revision, or undefined when it already exists. */
  create(key: string, value: string): Promise<number | undefined>;
  /** Replaces the value if the revision still matches; returns the new revision, or undefined on conflict. */
  update(key: string, value: string, revision: number): Promise<number | undefined>;
  /** Writes the value whatever is there; returns its revision. */
  put(key: string, value: string): Promise<number>;
  /** Deletes the key (only at `revision` when given); returns false on a revision conflict. */
  delete(key: string, revision?: number): Promise<boolean>;
  /** Every key of the plugin, with its value. */
  entries(): Promise<Map<string, StoreEntry>>;
}
