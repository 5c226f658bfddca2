import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { PluginStore, StoreEntry } from '@herald/plugin-sdk';
import { CoalescedGroupReads } from './group-reads.ts';

/**
 * A KV bucket whose keys belong to groups (an object's UID in the dedup bucket, a plugin's id in the
 * plugins bucket). Writes are compare-and-set where a revision is given. Keys and groups may hold any
 * characters; the store encodes them. What the values mean is the business of whoever owns the bucket.
 */
export interface KvStore {
  get(group: string, key: string): Promise<StoreEntry | undefined>;
  /**
   * Creates the key if absent; returns its revision, or undefined when it already exists. `deletedAt`: the
   * revision of the key's delete, when a read found it deleted (see readGroup): the write expects it, saving
   * the round trips that would find it out.
   */
  create(group: string, key: string, value: string, deletedAt?: number): Promise<number | undefined>;
  /** Replaces the value if the revision still matches; returns the new revision, or undefined on conflict. */
  update(group: string, key: string, value: string, revision: number): Promise<number | undefined>;
  /** Writes the value whatever is there; returns its revision. */
  put(group: string, key: string, value: string): Promise<number>;
  /** Deletes the key (only at `revision` when given); returns false on a revision conflict. */
  delete(group: string, key: string, revision?: number): Promise<boolean>;
  /**
   * Every key of the group, with its value. `atLeast`: the read must include every change of the group up to
   * that revision (the bucket's stream sequence of a change the caller reacts to); a copy that is behind is
   * not good enough, the bucket's leader answers then.
   */
  entries(group: string, options?: GroupReadOptions): Promise<Map<string, StoreEntry>>;
  /** The same read as `entries`, with the revision of each key of the group whose last change was a delete. */
  readGroup(group: string, options?: GroupReadOptions): Promise<GroupSnapshot>;
}

export interface GroupSnapshot {
  entries: Map<string, StoreEntry>;
  /** Revision of the delete (or purge) of each deleted key, by key. */
  deleted: Map<string, number>;
}

export interface GroupReadOptions {
  atLeast?: number;
  /**
   * The read must be as current as `get`: through the bucket's leader where single-key reads are (see
   * `leaderReads`). For a reader that decides from the group's keys what a `get` per key would have decided
   * (dedup reading an object's marker and claims in one round trip instead of one per key).
   */
  current?: boolean;
}

/**
 * KV key of one entry: `<group>.<key>`, each base64url-encoded (KV keys allow only [-/_=.a-zA-Z0-9]; state
 * keys hold ':' '[' and more). The group token lets a consumer list or purge one group's keys.
 */
export function encodeKvKey(group: string, key: string): string {
  return `${encodeToken(group)}.${encodeToken(key)}`;
}

/** The group of a KV key (see encodeKvKey); undefined when it has none. */
export function decodeKvGroup(kvKey: string): string | undefined {
  const token = kvKey.split('.', 1)[0];
  return token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
}

/** The key of a KV key within its group (see encodeKvKey). */
export function decodeKvKey(kvKey: string): string {
  return Buffer.from(kvKey.slice(kvKey.indexOf('.') + 1), 'base64url').toString('utf8');
}

function encodeToken(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export class JetStreamKvStore implements KvStore {
  readonly #kv: KV;
  readonly #jsm: JetStreamManager;
  readonly #bucket: string;
  readonly #groupReads: CoalescedGroupReads;

  readonly #leaderReads: boolean;

  /**
   * `leaderReads`: read single keys from the bucket's leader. With replicas, a direct get may be answered by a
   * follower that is behind (after a partition heals, for seconds): it can show a claim already released, and
   * the evaluator would then skip a notification as "already notified". Claims decide what is sent, so their
   * reads must be current; group reads (`entries`) stay direct, their users tolerate a lagging view, unless
   * they ask for a `current` one.
   */
  constructor(kv: KV, jsm: JetStreamManager, bucket: string, options: { leaderReads?: boolean } = {}) {
    this.#kv = kv;
    this.#jsm = jsm;
    this.#bucket = bucket;
    this.#groupReads = new CoalescedGroupReads(jsm, `KV_${bucket}`);
    this.#leaderReads = options.leaderReads ?? false;
  }

  async get(group: string, key: string): Promise<StoreEntry | undefined> {
    const last = await this.#last(encodeKvKey(group, key));
    return last && !last.deleted ? { value: last.value, revision: last.revision } : undefined;
  }

  /**
   * The key's last message, a delete's marker too. With `leaderReads`, through the stream's leader (the
   * JetStream message-get API, not a direct get).
   */
  async #last(kvKey: string): Promise<{ value: string; revision: number; deleted: boolean } | undefined> {
    if (!this.#leaderReads) {
      const entry = await this.#kv.get(kvKey);
      return entry ? { value: entry.string(), revision: entry.revision, deleted: entry.operation !== 'PUT' } : undefined;
    }
    const m = await this.#jsm.streams.getMessage(`KV_${this.#bucket}`, { last_by_subj: `$KV.${this.#bucket}.${kvKey}` });
    if (!m) return undefined;
    const operation = m.header?.get('KV-Operation');
    return { value: m.string(), revision: m.seq, deleted: operation === 'DEL' || operation === 'PURGE' };
  }

  /**
   * Not the KV client's create: when the key was deleted before, that one looks the delete marker up with a
   * direct get, which a replica that is behind may answer with the value from before the delete. Create
   * then reports "exists", and a released claim cannot be claimed again: a notification lost after a
   * partition healed. Here the marker is read like any key (see `leaderReads`).
   */
  async create(group: string, key: string, value: string, deletedAt?: number): Promise<number | undefined> {
    const kvKey = encodeKvKey(group, key);
    // Expecting the delete's revision: the write succeeds only while that delete is still the key's last
    // change, that is while the key is absent, as creating requires. Anything written since makes it fail,
    // and the key is read as below.
    let expected = deletedAt ?? 0;
    for (let attempt = 1; ; attempt++) {
      const revision = await casOrUndefined(() => this.#kv.put(kvKey, value, { previousSeq: expected }));
      if (revision !== undefined) return revision;
      const last = await this.#last(kvKey);
      // A live value is there; or the key keeps changing under us (deleted, written, deleted…): say it exists.
      if ((last && !last.deleted) || attempt >= 3) return undefined;
      expected = last?.revision ?? 0;
    }
  }

  async update(group: string, key: string, value: string, revision: number): Promise<number | undefined> {
    return casOrUndefined(() => this.#kv.update(encodeKvKey(group, key), value, revision));
  }

  async put(group: string, key: string, value: string): Promise<number> {
    return this.#kv.put(encodeKvKey(group, key), value);
  }

  async delete(group: string, key: string, revision?: number): Promise<boolean> {
    const done = await casOrUndefined(async () => {
      await this.#kv.delete(encodeKvKey(group, key), revision === undefined ? undefined : { previousSeq: revision });
      return 1;
    });
    return done !== undefined;
  }

  async entries(group: string, options: GroupReadOptions = {}): Promise<Map<string, StoreEntry>> {
    return (await this.readGroup(group, options)).entries;
  }

  async readGroup(group: string, options: GroupReadOptions = {}): Promise<GroupSnapshot> {
    const prefix = `$KV.${this.#bucket}.${encodeToken(group)}.`;
    // A follower that is behind could show a claim already released; single-key reads avoid it the same way.
    if (options.current && this.#leaderReads) return this.#leaderEntries(prefix);
    const direct = await this.#directEntries(prefix);
    // The direct read may come from any replica. One that has the change at `atLeast` shows it, or a later
    // change of that key, at that sequence or above (a delete too: its marker is the key's last message).
    if (options.atLeast === undefined || direct.revision >= options.atLeast) return direct;
    return this.#leaderEntries(prefix);
  }

  /**
   * A "last message per subject" direct read: no consumer is created (kv.keys() leaves one behind per call).
   * Coalesced with the other groups read in the same turn of the event loop (see CoalescedGroupReads).
   */
  async #directEntries(prefix: string): Promise<GroupRead> {
    const read = new GroupRead(prefix);
    for (const m of await this.#groupReads.read(prefix)) {
      read.add(m.subject, m.seq, m.header?.get('KV-Operation'), () => m.string());
    }
    return read;
  }

  /**
   * The same read through the stream's leader (the JetStream API answers from the leader only): the group's
   * subjects from the stream's info, then each one's last message. A round trip per key, so only when a
   * direct read was behind.
   */
  async #leaderEntries(prefix: string): Promise<GroupRead> {
    const read = new GroupRead(prefix);
    const stream = `KV_${this.#bucket}`;
    const info = await this.#jsm.streams.info(stream, { subjects_filter: `${prefix}>` });
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const m = await this.#jsm.streams.getMessage(stream, { last_by_subj: subject });
      if (m) read.add(m.subject, m.seq, m.header?.get('KV-Operation'), () => m.string());
    }
    return read;
  }
}

/** What a group read found: the live keys, and the newest sequence among all its keys' last messages (deletes too). */
class GroupRead implements GroupSnapshot {
  readonly entries = new Map<string, StoreEntry>();
  readonly deleted = new Map<string, number>();
  revision = 0;
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  add(subject: string, seq: number, operation: string | undefined, value: () => string): void {
    this.revision = Math.max(this.revision, seq);
    const key = Buffer.from(subject.slice(this.#prefix.length), 'base64url').toString('utf8');
    if (operation === 'DEL' || operation === 'PURGE') this.deleted.set(key, seq);
    else this.entries.set(key, { value: value(), revision: seq });
  }
}

/** The keys of one group as a plugin sees them: its own id is the group, and it cannot name another. */
export function scopedStore(kv: KvStore, group: string): PluginStore {
  return {
    get: (key) => kv.get(group, key),
    create: (key, value) => kv.create(group, key, value),
    update: (key, value, revision) => kv.update(group, key, value, revision),
    put: (key, value) => kv.put(group, key, value),
    delete: (key, revision) => kv.delete(group, key, revision),
    entries: () => kv.entries(group),
  };
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
