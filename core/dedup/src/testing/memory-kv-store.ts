import type { KvStore } from '@herald/core-bus';
import type { StoreEntry } from '@herald/plugin-sdk';

/**
 * A KV store in memory with the compare-and-set semantics of the NATS one (revisions grow across the
 * bucket), for unit tests of code that uses Dedup. `raw` is keyed `<group>/<key>`.
 */
export function memoryKvStore(): KvStore & { raw: Map<string, StoreEntry> } {
  const raw = new Map<string, StoreEntry>();
  let revision = 0;
  const id = (group: string, key: string) => `${group}/${key}`;
  return {
    raw,
    get: async (group, key) => raw.get(id(group, key)),
    async create(group, key, value) {
      if (raw.has(id(group, key))) return undefined;
      raw.set(id(group, key), { value, revision: ++revision });
      return revision;
    },
    async update(group, key, value, expected) {
      if (raw.get(id(group, key))?.revision !== expected) return undefined;
      raw.set(id(group, key), { value, revision: ++revision });
      return revision;
    },
    async put(group, key, value) {
      raw.set(id(group, key), { value, revision: ++revision });
      return revision;
    },
    async delete(group, key, expected) {
      if (expected !== undefined && raw.get(id(group, key))?.revision !== expected) return false;
      return raw.delete(id(group, key));
    },
    async entries(group) {
      return new Map([...raw].filter(([k]) => k.startsWith(`${group}/`)).map(([k, v]) => [k.slice(group.length + 1), v]));
    },
  };
}
