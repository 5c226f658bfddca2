import { isBusClosed, isHeraldError, type BusPublisher, type Logger, type ResourceEventData } from '@herald/plugin-sdk';
import { FileSourceErrorCodes } from './errors.ts';
import type { FolderReader, PlacedObject } from './folder-reader.ts';
import { publishObserved, type Observe } from './observe-span.ts';

export interface FolderSyncOptions {
  reader: FolderReader;
  publisher: BusPublisher;
  log: Logger;
  /** Starts each event's trace (the `observe <Kind>` span); none in tests that do not look at traces. */
  observe?: Observe;
  /** Tells this run's event ids from another's (see `#idOf`). */
  runId: string;
}

export interface SyncResult {
  /** Objects missing from this read: DELETED at the next sync if they are still missing then. */
  pendingDeletions: number;
  /** False when the folder could not be read, or the bus failed: the next sync tries again. */
  complete: boolean;
  /** Files and objects read (0 when the folder could not be read). */
  files: number;
  objects: number;
}

type Action = ResourceEventData['action'];

/**
 * Keeps the bus in step with the folder: each sync reads it and publishes ADDED for objects not seen
 * before, MODIFIED for those whose content changed, DELETED for those gone. An object must be missing
 * from two reads in a row to be deleted, so a file an editor replaces (removed, then written) never
 * deletes and re-adds its objects.
 */
export class FolderSync {
  readonly #options: FolderSyncOptions;
  /** What the bus was last told about each object, by key. */
  readonly #published = new Map<string, PlacedObject>();
  /** Keys missing from the previous read. */
  #missing = new Set<string>();
  /** Objects deleted during this run: their next ADDED is news, not a repeat of one from an earlier start. */
  readonly #deleted = new Set<string>();
  /** Ids of changes not yet published, so a retry after a bus failure repeats the same id. */
  readonly #ids = new Map<string, { change: string; id: string }>();
  /** Changes the bus refused for good, by key: not tried again until the object changes. */
  readonly #refused = new Map<string, string>();
  #duplicates = new Set<string>();
  /** The resync each object was last published for: a resync resumed after a bus failure skips those. */
  readonly #resynced = new Map<string, string>();
  #seq = 0;

  constructor(options: FolderSyncOptions) {
    this.#options = options;
  }

  /**
   * Reads the folder and publishes what changed. With `resync` (a value unique to this resync), every object
   * that did not change is published too, as a MODIFIED marked `resync`, to be evaluated again (the Kubernetes
   * source's resync; a sync that stops on a bus failure is resumed by the next one with the same `resync`).
   */
  async sync(resync?: string): Promise<SyncResult> {
    const files = await this.#options.reader.read();
    if (!files) return { pendingDeletions: this.#missing.size, complete: false, files: 0, objects: 0 };
    const wanted = this.#wanted(files.flatMap((f) => f.objects));

    const changes: { action: Action; object: PlacedObject; resync?: string }[] = [];
    for (const [key, object] of wanted) {
      const before = this.#published.get(key);
      if (!before) changes.push({ action: 'ADDED', object });
      else if (before.resourceVersion !== object.resourceVersion) changes.push({ action: 'MODIFIED', object });
      else {
        this.#published.set(key, object); // moved to another file, or another document: same content
        if (resync !== undefined && this.#resynced.get(key) !== resync) changes.push({ action: 'MODIFIED', object, resync });
      }
    }
    const missing = new Set([...this.#published.keys()].filter((key) => !wanted.has(key)));
    for (const key of missing) if (this.#missing.has(key)) changes.push({ action: 'DELETED', object: this.#published.get(key)! });
    this.#missing = missing;

    const read = { files: files.length, objects: wanted.size };
    for (const change of changes) {
      if (!(await this.#publish(change.action, change.object, change.resync))) return { pendingDeletions: this.#missing.size, complete: false, ...read };
      // Published in this resync, as a change or not: a resync resumed after a bus failure skips it.
      if (resync !== undefined && change.action !== 'DELETED') this.#resynced.set(change.object.key, resync);
    }
    return { pendingDeletions: [...this.#missing].filter((key) => this.#published.has(key)).length, complete: true, ...read };
  }

  /** The objects of the read by key; of two documents that define one object, the later (in path order) wins, with a warning. */
  #wanted(objects: PlacedObject[]): Map<string, PlacedObject> {
    const wanted = new Map<string, PlacedObject>();
    const duplicates = new Set<string>();
    for (const object of objects) {
      const earlier = wanted.get(object.key);
      wanted.set(object.key, object);
      if (!earlier) continue;
      const signature = `${object.key}|${where(earlier)}|${where(object)}`;
      duplicates.add(signature);
      if (this.#duplicates.has(signature)) continue;
      const { ref } = object;
      this.#options.log.warn(
        { code: FileSourceErrorCodes.duplicate, object: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, files: [where(earlier), where(object)] },
        `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} is defined twice, in ${where(earlier)} and in ${where(object)}: the latter is used`,
      );
    }
    this.#duplicates = duplicates;
    return wanted;
  }

  /** True once the bus took the change (or refused it for good); false when it failed and the change must wait for the next sync. */
  async #publish(action: Action, object: PlacedObject, resync?: string): Promise<boolean> {
    const { publisher, log, observe } = this.#options;
    const data: ResourceEventData = { action, ref: object.ref, resourceVersion: object.resourceVersion, object: object.object, ...(resync === undefined ? {} : { resync }) };
    const change = `${object.resourceVersion}:${action}`;
    if (this.#refused.get(object.key) === change) return true;
    // A resync's id is the bus's own for one (publisher.ts): unique to the resync, the same when it is retried.
    const id = resync === undefined ? this.#idOf(object, change, action) : `${object.ref.uid}:${object.resourceVersion}:resync:${resync}`;
    try {
      const receipt = await publishObserved(observe, data, () => publisher.resourceEvent(data, { id }));
      log.debug({ id: receipt.id, duplicate: receipt.duplicate, ...place(object) }, `published ${action} of ${describe(object)}`);
    } catch (err) {
      if (isBusClosed(err)) return false; // stopping
      if (!refusedForGood(err)) {
        log.warn({ err: String((err as Error)?.message ?? err), ...place(object) }, `cannot publish ${action} of ${describe(object)} now; trying again at the next scan`);
        return false;
      }
      this.#refused.set(object.key, change);
      log.error({ code: FileSourceErrorCodes.refused, ...place(object), err: (err as Error).message }, `${where(object)}: the bus refused ${action} of ${describe(object)}: ${(err as Error).message}`);
      return true;
    }
    if (resync !== undefined) return true;
    this.#ids.delete(object.key);
    this.#refused.delete(object.key);
    if (action === 'DELETED') {
      this.#published.delete(object.key);
      this.#resynced.delete(object.key);
      this.#deleted.add(object.key);
    } else {
      this.#published.set(object.key, object);
    }
    return true;
  }

  /**
   * The event's id (its idempotency key on the bus). The first ADDED of an object has the id the bus would
   * give it, `uid:resourceVersion:ADDED`: the same on every start, so a restart over unchanged files
   * publishes nothing new. A later change gets an id of this run: content can return to an earlier version
   * (an edit undone, a file restored), and that change must not be taken for a repeat and dropped.
   */
  #idOf(object: PlacedObject, change: string, action: Action): string {
    if (action === 'ADDED' && !this.#deleted.has(object.key)) return `${object.ref.uid}:${change}`;
    const pending = this.#ids.get(object.key);
    if (pending?.change === change) return pending.id;
    const id = `${object.ref.uid}:${change}:${this.#options.runId}.${++this.#seq}`;
    this.#ids.set(object.key, { change, id });
    return id;
  }
}

/** A refusal no retry can change (too large, not encodable); anything else (the bus down, closing) is tried again. */
function refusedForGood(err: unknown): boolean {
  return isHeraldError(err) && !err.retryable && !isBusClosed(err);
}

/** Log fields saying where an object is written. */
function place(object: PlacedObject): { file: string; document: number; item?: number } {
  return { file: object.file, document: object.document, ...(object.item === undefined ? {} : { item: object.item }) };
}

/** `apps/shop.yaml document 2`, `list.yaml document 1 items[3]`. */
function where(object: PlacedObject): string {
  return `${object.file} document ${object.document}${object.item === undefined ? '' : ` items[${object.item}]`}`;
}

function describe(object: PlacedObject): string {
  const { ref } = object;
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} (${object.resourceVersion})`;
}
