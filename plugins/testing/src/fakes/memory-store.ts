import type { PluginStore, StoreEntry } from '@herald/plugin-sdk';

/** An in-memory PluginStore with the real one's compare-and-set rules (one revision counter per store). */
export function memoryStore(): PluginStore {
  const keys = new Map<string, StoreEntry>();
  let revision = 0;
  const write = (key: string, value: string) => {
    revision++;
    keys.set(key, { value, revision });
    return revision;
  };
  return {
    get: async (key) => keys.get(key),
    create: async (key, value) => (keys.has(key) ? undefined : write(key, value)),
    update: async (key, value, expected) => (keys.get(key)?.revision === expected ? write(key, value) : undefined),
    put: async (key, value) => write(key, value),
    async delete(key, expected) {
      if (expected !== undefined && keys.get(key)?.revision !== expected) return false;
      keys.delete(key);
      return true;
    },
    entries: async () => new Map(keys),
  };
}
