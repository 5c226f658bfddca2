import type { KvStore } from '@herald/core-bus';
import type { StoreEntry } from '@herald/plugin-sdk';

/**
 * A KV store in memory with the compare-and-set semantics of the NATS one (revisions grow across the
 * bucket), for unit tests of code that uses Dedup. `raw` is keyed `<group>/<key>`.
 */
export function memoryKvStore(): KvStore & { raw: Map<string, StoreEntry> } {
  const raw = new Map<string, StoreEntry>();
  // Keys deleted, with the revision their value had (what a group read reports as the delete's).
  const deletedAt = new Map<string, number>();
  let revision = 0;
  const id = (group: string, key: string) => `${group}/${key}`;
  const inGroup = <T>(group: string, from: Map<string, T>) => new Map([...from].filter(([k]) => k.startsWith(`${group}/`)).map(([k, v]) => [k.slice(group.length + 1), v]));
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
      const current = raw.get(id(group, key));
      if (expected !== undefined && current?.revision !== expected) return false;
      if (current) deletedAt.set(id(group, key), current.revision);
      return raw.delete(id(group, key));
    },
    async entries(group) {
      return inGroup(group, raw);
    },
    async readGroup(group) {
      const deleted = inGroup(group, deletedAt);
      for (const key of inGroup(group, raw).keys()) deleted.delete(key);
      return { entries: inGroup(group, raw), deleted };
    },
  };
}
