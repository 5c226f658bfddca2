import type { KV } from '@nats-io/kv';
import type { StateEntry, StateStore } from '@herald/plugin-sdk';

/** KV keys allow only [-/_=.a-zA-Z0-9]; state keys hold ':' '[' and more, so they are base64url-encoded. */
export function encodeStateKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export class KvStateStore implements StateStore {
  readonly #kv: KV;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  async get(key: string): Promise<StateEntry | undefined> {
    const entry = await this.#kv.get(encodeStateKey(key));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: entry.string(), revision: entry.revision };
  }

  async create(key: string, value: string): Promise<number | undefined> {
    try {
      return await this.#kv.create(encodeStateKey(key), value);
    } catch (err) {
      if (isWrongSequence(err)) return undefined;
      throw err;
    }
  }

  async update(key: string, value: string, revision: number): Promise<number | undefined> {
    try {
      return await this.#kv.update(encodeStateKey(key), value, revision);
    } catch (err) {
      if (isWrongSequence(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string, revision?: number): Promise<boolean> {
    try {
      await this.#kv.delete(encodeStateKey(key), revision === undefined ? undefined : { previousSeq: revision });
      return true;
    } catch (err) {
      if (isWrongSequence(err)) return false;
      throw err;
    }
  }
}

// JetStream answers a failed compare-and-set with API error 10071 ("wrong last sequence") or, for create
// on a live key, 10164-like "key exists"; both surface as an error naming the sequence.
function isWrongSequence(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === 10071 || /wrong last sequence|key exists/i.test(String((err as Error)?.message));
}
