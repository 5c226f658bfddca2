import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { StateEntry, StateStore } from '@herald/plugin-sdk';

/**
 * KV key of one state entry: `<object>.<key>`, each base64url-encoded (KV keys allow only [-/_=.a-zA-Z0-9],
 * and state keys hold ':' '[' and more). The object token lets a consumer list or purge one object's state.
 */
export function encodeStateKey(objectUid: string, key: string): string {
  return `${encodeToken(objectUid)}.${encodeToken(key)}`;
}

function encodeToken(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export class KvStateStore implements StateStore {
  readonly #kv: KV;
  readonly #jsm: JetStreamManager;
  readonly #bucket: string;

  constructor(kv: KV, jsm: JetStreamManager, bucket: string) {
    this.#kv = kv;
    this.#jsm = jsm;
    this.#bucket = bucket;
  }

  async get(objectUid: string, key: string): Promise<StateEntry | undefined> {
    const entry = await this.#kv.get(encodeStateKey(objectUid, key));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: entry.string(), revision: entry.revision };
  }

  async create(objectUid: string, key: string, value: string): Promise<number | undefined> {
    return casOrUndefined(() => this.#kv.create(encodeStateKey(objectUid, key), value));
  }

  async update(objectUid: string, key: string, value: string, revision: number): Promise<number | undefined> {
    return casOrUndefined(() => this.#kv.update(encodeStateKey(objectUid, key), value, revision));
  }

  async delete(objectUid: string, key: string, revision?: number): Promise<boolean> {
    const done = await casOrUndefined(async () => {
      await this.#kv.delete(encodeStateKey(objectUid, key), revision === undefined ? undefined : { previousSeq: revision });
      return 1;
    });
    return done !== undefined;
  }

  async entries(objectUid: string): Promise<Map<string, StateEntry>> {
    const out = new Map<string, StateEntry>();
    const prefix = `$KV.${this.#bucket}.${encodeToken(objectUid)}.`;
    // A direct "last message per subject" read: no consumer is created (kv.keys() leaves one behind per call).
    let messages;
    try {
      messages = await this.#jsm.direct.getLastMessagesFor(`KV_${this.#bucket}`, { multi_last: [`${prefix}>`] });
    } catch (err) {
      if (isNoMessages(err)) return out;
      throw err;
    }
    try {
      for await (const m of messages) {
        const operation = m.header?.get('KV-Operation');
        if (operation === 'DEL' || operation === 'PURGE') continue;
        out.set(Buffer.from(m.subject.slice(prefix.length), 'base64url').toString('utf8'), { value: m.string(), revision: m.seq });
      }
    } catch (err) {
      if (!isNoMessages(err)) throw err;
    }
    return out;
  }
}

// A failed compare-and-set is JetStream API error 10071 ("wrong last sequence"); create on a live key
// reports the same. Anything else is a real failure.
async function casOrUndefined(write: () => Promise<number>): Promise<number | undefined> {
  try {
    return await write();
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 10071 || /wrong last sequence/i.test(String((err as Error)?.message))) return undefined;
    throw err;
  }
}

// The server answers a direct get that matches nothing with 404 "no results".
function isNoMessages(err: unknown): boolean {
  const e = err as { code?: number | string; status?: number; message?: string } | undefined;
  return e?.code === 404 || e?.code === '404' || e?.status === 404 || /no (results|message found)/i.test(String(e?.message));
}
