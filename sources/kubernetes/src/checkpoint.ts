import { randomUUID } from 'node:crypto';
import type { KubeObject } from '@herald/core-kube';
import type { Logger, PluginStore } from '@herald/plugin-sdk';
import { KEPT_FORMAT, ObjectChanges, type KeptRecord } from './object-changes.ts';

/** The key that says which process publishes now, and where the checkpoint its predecessor saved is. */
const HEAD = 'checkpoint';
/**
 * `checkpoint/<n>`: the n-th piece of the saved checkpoint's JSON, after the save's id and a newline. Each save
 * writes over the pieces of the one before, so the store never holds more than the largest checkpoint; a piece
 * of another save (one that failed, or a process that saved after it had lost its claim) makes a checkpoint
 * incomplete, never another one.
 */
const PIECE = 'checkpoint/';
/** Characters a piece: a store value is one NATS message, and a server's max_payload is 1 MiB unless raised. */
const PIECE_CHARS = 256 * 1024;
/** A claim that keeps losing to other processes' claims gives up (and the start lists as without a checkpoint). */
const CLAIM_ATTEMPTS = 5;

interface Head {
  /** The process that claimed last (for messages). */
  holder: string;
  /** What it saved when it stopped; absent while it runs, and when it stopped without saving (killed). */
  saved?: { id: string; pieces: number; objects: number; format: number; at: string; requests?: number };
}

/** What was published of each watched collection, by collection (`WatchSet`'s key of a target). */
export type Known = Map<string, KubeObject[]>;

/**
 * What the source had published of each object when it last stopped cleanly, so that its next start publishes
 * only what changed meanwhile (`checkpoint: true`, docs/sources/kubernetes.md#checkpoint).
 *
 * Kept in the plugin's store (a KV bucket on the bus): a head key, and the checkpoint's JSON in pieces. Using
 * one is only safe if nothing was published after it was saved: an object that changed from A to B and back to
 * A would otherwise be taken for unchanged while the bus last had B. So a process claims the head when it
 * starts to publish (compare-and-set), and a stop saves only with a compare-and-set on its own claim: a process
 * that claimed after it makes its save fail, and a checkpoint is used by the one claim that follows its save.
 * A process killed saves nothing: its successor lists and publishes every object, as without a checkpoint.
 */
export class SourceCheckpoint {
  readonly #store: PluginStore;
  readonly #holder: string;
  readonly #log: Logger;
  readonly #changes: ObjectChanges;
  /** The head's revision this process wrote last, while it may save. */
  #claimed: number | undefined;

  constructor(store: PluginStore, holder: string, changes: ObjectChanges, log: Logger) {
    this.#store = store;
    this.#holder = holder;
    this.#changes = changes;
    this.#log = log;
  }

  /**
   * Makes this process the one that may save next, and returns what the process before it saved (undefined: no
   * checkpoint, or none usable). A checkpoint is used once: the claim replaces the head that named it. Never
   * rejects: a store that cannot be read or written means a start without a checkpoint, and no save.
   * `requests`: the revision of the newest resync request now (see ResyncRequests). A checkpoint saved before a
   * request it had not served is not used: the notification config changed, and every object is published to
   * be evaluated with it.
   */
  async claim(requests?: number): Promise<Known | undefined> {
    this.#claimed = undefined;
    try {
      for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
        const head = await this.#store.get(HEAD);
        const mine = JSON.stringify({ holder: this.#holder } satisfies Head);
        const revision = head ? await this.#store.update(HEAD, mine, head.revision) : await this.#store.create(HEAD, mine);
        // Another process claimed between the read and the write: read again.
        if (revision === undefined) continue;
        this.#claimed = revision;
        return head ? await this.#read(parseHead(head.value), requests) : undefined;
      }
      this.#log.warn({ attempts: CLAIM_ATTEMPTS }, 'checkpoint: other processes kept claiming it; listing without one, and saving none at stop');
    } catch (err) {
      // Claimed, the read failed after: this process still saves at its stop.
      const saving = this.#claimed === undefined ? ', and saving none at stop' : '';
      this.#log.warn({ err }, `checkpoint: cannot read it from the store; listing without one${saving}`);
    }
    return undefined;
  }

  /**
   * Saves what was published of each collection (each informer's `taken()` once stopped), unless another process
   * claimed since this one did. `requests`: the revision of the last resync request served (every object
   * published after it was made), undefined when none was. Never rejects; resolves whether it saved.
   */
  async save(known: Known, requests?: number): Promise<boolean> {
    const claimed = this.#claimed;
    if (claimed === undefined) return false;
    this.#claimed = undefined;
    const id = randomUUID();
    const targets: Record<string, KeptRecord[]> = {};
    let objects = 0;
    for (const [target, kept] of known) {
      targets[target] = kept.map((object) => ObjectChanges.record(object));
      objects += kept.length;
    }
    const json = JSON.stringify(targets);
    const pieces = Math.max(1, Math.ceil(json.length / PIECE_CHARS));
    try {
      for (let n = 0; n < pieces; n++) await this.#store.put(`${PIECE}${n}`, `${id}\n${json.slice(n * PIECE_CHARS, (n + 1) * PIECE_CHARS)}`);
      const head: Head = { holder: this.#holder, saved: { id, pieces, objects, format: KEPT_FORMAT, at: new Date().toISOString(), ...(requests === undefined ? {} : { requests }) } };
      if ((await this.#store.update(HEAD, JSON.stringify(head), claimed)) !== undefined) {
        this.#log.info({ objects, pieces }, `checkpoint saved: the next start publishes only what changes meanwhile (${objects} objects known)`);
        return true;
      }
      this.#log.info({}, 'checkpoint not saved: another process publishes now');
    } catch (err) {
      this.#log.warn({ err }, 'checkpoint: cannot save it; the next start lists and publishes every object');
    }
    return false;
  }

  async #read(head: Head | undefined, requests: number | undefined): Promise<Known | undefined> {
    const saved = head?.saved;
    if (!saved) {
      this.#log.info({ previous: head?.holder }, 'no checkpoint (the process before did not stop cleanly, or saved none): publishing every object');
      return undefined;
    }
    if (saved.requests !== requests) {
      this.#log.info({ served: saved.requests, requested: requests }, 'checkpoint saved before the notification config changed (a resync request it had not served): publishing every object');
      return undefined;
    }
    if (saved.format !== KEPT_FORMAT) {
      this.#log.info({ format: saved.format }, `checkpoint of another format (${saved.format}, this Herald reads ${KEPT_FORMAT}): publishing every object`);
      return undefined;
    }
    let json = '';
    for (let n = 0; n < saved.pieces; n++) {
      const piece = (await this.#store.get(`${PIECE}${n}`))?.value;
      const newline = piece?.indexOf('\n') ?? -1;
      if (piece === undefined || piece.slice(0, newline) !== saved.id) {
        this.#log.warn({ piece: n, pieces: saved.pieces }, 'checkpoint incomplete in the store: publishing every object');
        return undefined;
      }
      json += piece.slice(newline + 1);
    }
    const known: Known = new Map();
    let objects = 0;
    try {
      for (const [target, rows] of Object.entries(JSON.parse(json) as Record<string, unknown[]>)) {
        const kept: KubeObject[] = [];
        for (const row of rows) {
          const object = this.#changes.restore(row);
          if (!object) throw new Error(`a row of ${target} is not one of this format`);
          kept.push(object);
        }
        known.set(target, kept);
        objects += kept.length;
      }
    } catch (err) {
      this.#log.warn({ err }, 'checkpoint unreadable: publishing every object');
      return undefined;
    }
    this.#log.info({ previous: head.holder, savedAt: saved.at, objects }, `checkpoint of ${head.holder}: publishing only what changed since (${objects} objects known)`);
    return known;
  }
}

function parseHead(value: string): Head | undefined {
  try {
    const head = JSON.parse(value) as Head;
    return typeof head === 'object' && head !== null && typeof head.holder === 'string' ? head : undefined;
  } catch {
    return undefined;
  }
}
