import { setTimeout as sleepFor } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '@herald/plugin-sdk';
import { isGone, KubeApiError, type KubeStatus } from './kube-api-error.ts';
import type { KubeClient, Query } from './kube-client.ts';
import { collectionDescription, collectionPath, type GroupVersionResource, type InformerEvent, type KubeObject } from './kube-object.ts';
import { listedChange, reconcile } from './reconcile.ts';

/** Doubling from 1 s up to 30 s, with equal jitter. */
export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/** pino-style logger; any logger with these call shapes will do. */
export interface InformerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Optional hooks, e.g. for counters. */
export interface InformerObserver {
  /** A list finished: the first one, a relist after 410 Gone, or a periodic resync. `events` is what it produced. */
  listed?(info: { relist: boolean; resync: boolean; objects: number; events: number }): void;
  /** A list or watch failed and is retried after `retryInMs`. */
  watchError?(error: unknown, retryInMs: number): void;
  /** A watch ended and another starts: `closed` by the server (its timeout), `gone` (410, a relist first), `short`, `stalled`, or `resync` (a resync first). */
  watchEnded?(end: WatchEnd): void;
  /** `onEvent` failed and the same event is retried after `retryInMs`. */
  handlerError?(error: unknown, event: InformerEvent, retryInMs: number): void;
}

export type EventHandler = (event: InformerEvent, context: { signal: AbortSignal }) => Promise<void>;

export interface InformerOptions {
  client: KubeClient;
  resource: GroupVersionResource;
  /** Watch one namespace; all namespaces (or a cluster-scoped resource) when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Called once per event, in order. When it rejects, the same event is offered again after a backoff and
   * nothing later of the same object is delivered before it; to skip an event, resolve.
   */
  onEvent: EventHandler;
  /**
   * Events of different objects handed to `onEvent` at once (it has not resolved yet for them). Events of
   * one object are always handed over one at a time, in order; the list or watch is read no further while
   * this many are in flight, and a watch starts again (or a relist) only once every event before it was
   * taken. Default 1: one event at a time.
   */
  maxInFlight?: number;
  /** Applied to every object before it is cached and delivered (e.g. to drop managedFields). */
  transform?: (object: KubeObject) => KubeObject;
  /**
   * What the informer keeps of each object it delivered: the next event's `previous`, and the `object` of the
   * DELETED a relist finds. Must keep metadata.uid and metadata.resourceVersion (a relist compares them). Default:
   * the object whole; a few fields and a fingerprint keep the memory per watched object small.
   */
  keep?: (object: KubeObject) => KubeObject;
  /**
   * What an earlier informer of the same collection had delivered and seen taken (its `taken()`, kept across a
   * restart): the first list is then compared with it as a relist is, so that an object unchanged since gives no
   * event, a changed one a MODIFIED with `previous`, and one gone meanwhile a DELETED (`finalStateUnknown`).
   * Default: nothing known, every listed object an ADDED.
   */
  known?: Iterable<KubeObject>;
  /** Objects per list page (`limit`). Default 500. */
  pageSize?: number;
  /** Server-side watch timeout; each watch asks for a random value between this and twice this. Default 300 s. */
  watchTimeoutSeconds?: number;
  /**
   * Every this many milliseconds, the watch is ended, the collection listed again, and every object handed
   * over: an unchanged one as a MODIFIED marked `resync`, so that what depends on the clock is looked at again
   * (client-go's resync). client-go resyncs from its cache of whole objects; this cache holds what `keep`
   * kept, so a resync is a list (paged) from the API server. Off when absent.
   */
  resyncPeriodMs?: number;
  /** Delays between failed lists/watches and between failed `onEvent` calls. */
  backoff?: BackoffPolicy;
  logger?: InformerLogger;
  observer?: InformerObserver;
  /** For tests: [0, 1). */
  random?: () => number;
}

interface ObjectList {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[] | null;
}

interface WatchEvent {
  type: string;
  object: KubeObject & KubeStatus;
}

export type WatchEnd = 'closed' | 'gone' | 'short' | 'stalled' | 'resync';

// A watch that ends this quickly without a single event is treated as a failure, not a normal close.
const shortWatchMs = 1_000;
// How long past its timeoutSeconds a watch may stay open before the client gives up on it.
const watchGraceMs = 30_000;
const noop = () => undefined;
const silent: InformerLogger = { debug: noop, info: noop, warn: noop };

/**
 * Keeps a local view of one Kubernetes collection (a resource in one namespace, or everywhere) and hands
 * every change to `onEvent`, in order: LIST (paginated), then WATCH from the list's resourceVersion with
 * bookmarks. A watch closed by the server is reopened at once from the last resourceVersion; a failed one
 * after a backoff; 410 Gone relists and reconciles with what was known (see `reconcile`).
 */
export class Informer {
  readonly #options: InformerOptions;
  readonly #path: string;
  readonly #log: InformerLogger;
  readonly #random: () => number;
  readonly #backoff: BackoffPolicy;
  readonly #abort = new AbortController();
  readonly #cache = new Map<string, KubeObject>();
  /** Deliveries not finished yet, each never rejecting; by object (the last one of each), and all of them. */
  readonly #lastOfObject = new Map<string, Promise<void>>();
  readonly #inFlight = new Set<Promise<void>>();
  /**
   * Objects with events handed over and not taken yet, with how many; and for one whose DELETED is among them,
   * what was kept of it before (see `taken`).
   */
  readonly #untaken = new Map<string, number>();
  readonly #untakenDeletes = new Map<string, KubeObject>();
  readonly #synced: Promise<void>;
  #markSynced: (error?: Error) => void = noop;
  #hasSynced = false;
  #resourceVersion: string | undefined;
  /** Events delivered from watches: tells a relist that led somewhere from one that did not. */
  #watchedEvents = 0;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** Callers of `resync()` waiting for a resync to start, and those of the resync under way (see `resync`). */
  #resyncWanted: ((done: boolean) => void)[] = [];
  #resyncing: ((done: boolean) => void)[] = [];
  /** Ends the watch under way when a resync is asked for. */
  #watchEnd: AbortController | undefined;

  constructor(options: InformerOptions) {
    this.#options = options;
    this.#path = collectionPath(options.resource, options.namespace);
    this.#log = options.logger ?? silent;
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ?? defaultBackoff;
    for (const object of options.known ?? []) {
      const uid = object.metadata?.uid;
      if (uid) this.#cache.set(uid, object);
    }
    this.#synced = new Promise<void>((resolve, reject) => {
      this.#markSynced = (error) => (error ? reject(error) : resolve());
    });
    // Nobody may be waiting for it; a stop before the first sync must not be an unhandled rejection.
    this.#synced.catch(noop);
  }

  /** `pods.v1 in namespace "x"`, for messages. */
  get description(): string {
    return collectionDescription(this.#options.resource, this.#options.namespace);
  }

  /** The resourceVersion the next watch starts from (advanced by events and bookmarks). */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** Resolves once every object of the first list was handed to `onEvent`; rejects if stopped before. */
  get synced(): Promise<void> {
    return this.#synced;
  }

  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** The objects as last delivered (what `keep` kept of them). */
  objects(): KubeObject[] {
    return [...this.#cache.values()];
  }

  /**
   * What `onEvent` took of each object (what `keep` kept of its last event, or what was `known` of it): for a
   * later informer's `known`. An object with an event not taken is left out, so that a later first list hands
   * it over again as ADDED; one whose DELETED was not taken is in it as it was before, so that a later first
   * list, not finding it, hands a DELETED over. Read it once the informer stopped: while it runs, it changes.
   */
  taken(): KubeObject[] {
    const taken: KubeObject[] = [];
    for (const [uid, object] of this.#cache) if (!this.#untaken.has(uid)) taken.push(object);
    for (const object of this.#untakenDeletes.values()) taken.push(object);
    return taken;
  }

  /**
   * Hands every object over again as soon as it can, as a periodic resync does (`resyncPeriodMs`): the watch under
   * way ends, and the first list or a resync under way finishes first. Resolves true once a resync that began
   * after the call handed every object over (taken or not: see `taken`), false if the informer stopped first.
   */
  resync(): Promise<boolean> {
    if (this.#abort.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#resyncWanted.push(resolve);
      this.#watchEnd?.abort();
    });
  }

  /**
   * Fetches the first page of the list, so that a resource that is not served or not allowed fails here,
   * then goes on in the background. Rejects with the list's error (a KubeApiError when the server refused).
   */
  async start(): Promise<void> {
    if (this.#loop) throw new Error(`informer for ${this.description} already started`);
    const signal = this.#abort.signal;
    const first = { page: await this.#listPage(undefined, true) };
    this.#loop = this.#run(first).catch((err: unknown) => {
      if (!signal.aborted) this.#log.warn({ err }, `informer for ${this.description} stopped on an unexpected error`);
    });
  }

  /** Aborts the list/watch, waits for an `onEvent` in flight to finish; nothing is delivered afterwards. Idempotent. */
  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      this.#abort.abort(new Error(`informer for ${this.description} stopped`));
      await this.#loop;
      for (const resolve of [...this.#resyncing.splice(0), ...this.#resyncWanted.splice(0)]) resolve(false);
      if (!this.#hasSynced) this.#markSynced(new Error(`informer for ${this.description} stopped before its first list was delivered`));
    })());
  }

  /** `first.page` is taken out: a parameter of a loop that runs for good would keep the page (whole objects) for good. */
  async #run(first: { page?: ObjectList }): Promise<void> {
    const signal = this.#abort.signal;
    let firstPage = first.page;
    first.page = undefined;
    let mustList = true;
    let mustResync = false;
    let failures = 0;
    let relistsWithoutProgress = 0;
    const period = this.#options.resyncPeriodMs;
    let resyncAt = Infinity;
    while (!signal.aborted) {
      const watchedBefore = this.#watchedEvents;
      try {
        // A resync asked for (`resync()`) waits for the first list: that one hands every object over only
        // when nothing was known before.
        if (!mustList && this.#resyncWanted.length > 0) mustResync = true;
        if (mustList || mustResync) {
          if (mustResync) this.#resyncing.push(...this.#resyncWanted.splice(0));
          await this.#relist(firstPage, mustResync);
          firstPage = undefined;
          mustList = false;
          mustResync = false;
          failures = 0;
          for (const resolve of this.#resyncing.splice(0)) resolve(true);
          if (period !== undefined) resyncAt = Date.now() + period;
          // Asked for while the first list ran: straight on to the resync.
          if (this.#resyncWanted.length > 0) continue;
        }
        const end = await this.#watch(resyncAt);
        if (!signal.aborted) this.#options.observer?.watchEnded?.(end);
        if (end === 'resync') {
          mustResync = true;
          continue;
        }
        if (end === 'gone') {
          mustList = true;
          this.#log.info({ resourceVersion: this.#resourceVersion }, `resourceVersion ${this.#resourceVersion} of ${this.description} is too old (410 Gone): relisting`);
          // A list whose resourceVersion is at once too old again must not spin.
          relistsWithoutProgress = this.#watchedEvents === watchedBefore ? relistsWithoutProgress + 1 : 1;
          if (relistsWithoutProgress > 1) await this.#pause(++failures, new Error('410 Gone right after a relist'));
          continue;
        }
        relistsWithoutProgress = 0;
        if (end === 'short') {
          await this.#pause(++failures, new Error('the watch ended at once without an event'));
        } else {
          failures = 0;
          this.#log.debug({ resourceVersion: this.#resourceVersion, end }, `watch of ${this.description} ended: watching again`);
        }
      } catch (err) {
        if (signal.aborted) return;
        // A list that is itself Gone (not its continue token, handled there) waits like any failure.
        if (isGone(err) && !mustList) {
          mustList = true;
          continue;
        }
        // A watch that delivered events was healthy until now: start the backoff over.
        if (this.#watchedEvents !== watchedBefore) failures = 0;
        await this.#pause(++failures, err);
      }
    }
  }

  /** Logs a failure and waits the backoff (at least the server's Retry-After); returns early on stop. */
  async #pause(failures: number, err: unknown): Promise<void> {
    const retryAfter = err instanceof KubeApiError ? (err.retryAfterMs ?? 0) : 0;
    const delay = Math.max(backoffDelay(failures, this.#backoff, this.#random), retryAfter);
    this.#options.observer?.watchError?.(err, delay);
    this.#log.warn({ err: describeError(err), retryInMs: delay, resourceVersion: this.#resourceVersion }, `list/watch of ${this.description} failed: retrying in ${delay} ms`);
    await sleepFor(delay, undefined, { signal: this.#abort.signal }).catch(noop);
  }

  /**
   * Lists everything and delivers what changed against the cache; in a resync, every object. The first list
   * (nothing known yet: every object is an ADDED) and a resync hand each page over while the next one is
   * fetched, a resync the DELETED of what is gone last; a relist after 410 delivers once listed, the DELETED
   * of what is gone first (see `reconcile`).
   */
  async #relist(firstPage: ObjectList | undefined, resync: boolean): Promise<void> {
    const relist = this.#hasSynced && !resync;
    let streamed = 0;
    // The UIDs listed so far, when what was known before is compared with the list page by page: what a resync
    // lists, and what the first list finds of what was `known` (for the DELETED of the rest).
    const delivered = new Set<string>();
    const known = !this.#hasSynced && this.#cache.size > 0;
    const streamPage = async (page: readonly KubeObject[], list: ObjectList) => {
      const of = resync ? { resourceVersion: list.metadata?.resourceVersion ?? '' } : undefined;
      for (const object of page) {
        const event = listedChange(this.#cache, object, of);
        if ((resync || known) && object.metadata?.uid) delivered.add(object.metadata.uid);
        if (!event) continue;
        streamed++;
        await this.#deliver(event);
      }
    };
    let listedVersion: string | undefined;
    try {
      const { items, objects, resourceVersion } = await this.#listAll(firstPage, !this.#hasSynced || this.#cache.size === 0 || resync ? streamPage : undefined);
      listedVersion = resourceVersion;
      // `items` is undefined when each page was handed over; a list that had to start over is reconciled with them.
      let events: InformerEvent[];
      if (items) events = reconcile(this.#cache, items, resync ? { resourceVersion: resourceVersion ?? '', delivered } : undefined);
      else if (resync || known) events = [...this.#cache].filter(([uid]) => !delivered.has(uid)).map(([, object]): InformerEvent => ({ type: 'DELETED', object, finalStateUnknown: true }));
      else events = [];
      this.#options.observer?.listed?.({ relist, resync, objects, events: streamed + events.length });
      const listed = { objects, events: streamed + events.length, resourceVersion, relist, resync };
      if (resync) this.#log.debug(listed, `resynced ${this.description}`);
      else this.#log.info(listed, `listed ${this.description}`);
      for (const event of events) await this.#deliver(event);
    } finally {
      await this.#drain();
    }
    this.#resourceVersion = listedVersion;
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#markSynced();
    }
  }

  /**
   * Every page of the list. With `onPage`, each page goes to it (while the next one is fetched) and `items` is
   * undefined, unless the list has to start over: then `items` holds the whole list and `onPage` saw part of it.
   */
  async #listAll(firstPage: ObjectList | undefined, onPage?: (items: KubeObject[], list: ObjectList) => Promise<void>): Promise<{ items: KubeObject[] | undefined; objects: number; resourceVersion: string | undefined }> {
    let paged = true;
    for (;;) {
      const items: KubeObject[] = [];
      let objects = 0;
      let page = firstPage ?? (await this.#listPage(undefined, paged));
      firstPage = undefined;
      try {
        for (;;) {
          const token = page.metadata?.continue;
          const next = token ? this.#listPage(token, true) : undefined;
          // Awaited below; a failure while this page is handed over must not go unhandled meanwhile.
          next?.catch(noop);
          const prepared = (page.items ?? []).map((item) => this.#prepare(item, page));
          objects += prepared.length;
          if (onPage) await onPage(prepared, page);
          else for (const item of prepared) items.push(item);
          if (!next) return { items: onPage ? undefined : items, objects, resourceVersion: page.metadata?.resourceVersion };
          page = await next;
        }
      } catch (err) {
        // The continue token expired (the list took longer than etcd keeps history): one list, unpaged, reconciled
        // with what the pages before were delivered as.
        if (!isGone(err)) throw err;
        this.#log.info({}, `continue token of ${this.description} expired: listing again without pages`);
        paged = false;
        onPage = undefined;
      }
    }
  }

  #listPage(token: string | undefined, paged: boolean): Promise<ObjectList> {
    const { labelSelector, fieldSelector, pageSize } = this.#options;
    const query: Query = { labelSelector, fieldSelector, limit: paged ? (pageSize ?? 500) : undefined, continue: token };
    return this.#options.client.get<ObjectList>(this.#path, query, this.#abort.signal);
  }

  /** Watches from the last resourceVersion until the server ends the watch, or until `resyncAt` (epoch ms). */
  async #watch(resyncAt: number): Promise<WatchEnd> {
    const { client, labelSelector, fieldSelector, watchTimeoutSeconds = 300 } = this.#options;
    const resyncInMs = resyncAt - Date.now();
    if (resyncInMs <= 0 || this.#resyncWanted.length > 0) return 'resync';
    const timeoutSeconds = Math.max(1, Math.round(watchTimeoutSeconds * (1 + this.#random())));
    const deadline = AbortSignal.timeout(timeoutSeconds * 1_000 + watchGraceMs);
    const asked = new AbortController();
    this.#watchEnd = asked;
    const resyncDue = AbortSignal.any(Number.isFinite(resyncInMs) ? [asked.signal, AbortSignal.timeout(resyncInMs)] : [asked.signal]);
    const signal = AbortSignal.any([this.#abort.signal, deadline, resyncDue]);
    const query: Query = { watch: true, resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds, labelSelector, fieldSelector };
    const started = Date.now();
    let received = 0;
    try {
      for await (const raw of client.stream(this.#path, query, signal)) {
        const event = raw as WatchEvent;
        switch (event.type) {
          case 'BOOKMARK':
            // Bookmarks carry nothing but a newer resourceVersion to resume from.
            this.#resourceVersion = event.object?.metadata?.resourceVersion ?? this.#resourceVersion;
            received++;
            break;
          case 'ERROR': {
            const error = KubeApiError.fromStatus(event.object ?? {});
            if (isGone(error)) return 'gone';
            throw error;
          }
          case 'ADDED':
          case 'MODIFIED':
          case 'DELETED': {
            const object = this.#prepare(event.object);
            const previous = event.type === 'MODIFIED' && object.metadata?.uid ? this.#cache.get(object.metadata.uid) : undefined;
            await this.#deliver({ type: event.type, object, ...(previous ? { previous } : {}) });
            this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
            this.#watchedEvents++;
            received++;
            break;
          }
          default:
            throw new Error(`unexpected watch event type ${JSON.stringify(event.type)}`);
        }
      }
    } catch (err) {
      if (isGone(err)) return 'gone';
      if (resyncDue.aborted && !this.#abort.signal.aborted) return 'resync';
      if (deadline.aborted && !this.#abort.signal.aborted) return 'stalled';
      throw err;
    } finally {
      this.#watchEnd = undefined;
      // The next watch resumes after the last event read: each before it must have been taken.
      await this.#drain();
    }
    // A client that ends the stream quietly when its signal aborts, rather than throwing.
    if (resyncDue.aborted && !this.#abort.signal.aborted) return 'resync';
    return received === 0 && Date.now() - started < shortWatchMs ? 'short' : 'closed';
  }

  /** List items come without apiVersion and kind; watch events have them. Objects look the same either way. */
  #prepare(object: KubeObject, list?: ObjectList): KubeObject {
    const typed = list ? { apiVersion: list.apiVersion, kind: list.kind?.replace(/List$/, ''), ...object } : object;
    return this.#options.transform ? this.#options.transform(typed) : typed;
  }

  /**
   * Records one event and hands it to onEvent (until taken) after the object's events before it; resolves
   * once fewer than maxInFlight events are in flight. With maxInFlight 1, once this one is taken.
   */
  async #deliver(event: InformerEvent): Promise<void> {
    const signal = this.#abort.signal;
    signal.throwIfAborted();
    const { metadata } = event.object;
    // Recorded now, not once taken: the next event of the object is compared with this one (`previous`),
    // and each event is offered until it is taken or the informer stops, when the cache is of no more use.
    const uid = metadata?.uid;
    if (uid) {
      this.#untaken.set(uid, (this.#untaken.get(uid) ?? 0) + 1);
      if (event.type === 'DELETED') {
        const gone = this.#cache.get(uid);
        if (gone) this.#untakenDeletes.set(uid, gone);
        this.#cache.delete(uid);
      } else if (this.#options.keep) {
        // A resync's unchanged object is the one kept before (same resourceVersion, same content): keep that.
        event.kept = event.resync !== undefined && event.previous ? event.previous : this.#options.keep(event.object);
        this.#cache.set(uid, event.kept);
      } else {
        this.#cache.set(uid, event.object);
      }
    }
    const key = metadata?.uid ?? nameOf(event.object);
    const before = this.#lastOfObject.get(key);
    const delivery: Promise<void> = (async () => {
      await before;
      await this.#offer(event);
      if (uid) this.#wasTaken(uid);
    })()
      .catch(noop)
      .finally(() => {
        this.#inFlight.delete(delivery);
        if (this.#lastOfObject.get(key) === delivery) this.#lastOfObject.delete(key);
      });
    this.#inFlight.add(delivery);
    this.#lastOfObject.set(key, delivery);
    while (this.#inFlight.size >= (this.#options.maxInFlight ?? 1)) await Promise.race(this.#inFlight);
    signal.throwIfAborted();
  }

  #wasTaken(uid: string): void {
    const left = (this.#untaken.get(uid) ?? 1) - 1;
    if (left > 0) {
      this.#untaken.set(uid, left);
      return;
    }
    this.#untaken.delete(uid);
    this.#untakenDeletes.delete(uid);
  }

  /** Waits until every event handed over was taken; rejects if the informer stopped meanwhile. */
  async #drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    this.#abort.signal.throwIfAborted();
  }

  /** Hands one event to onEvent until it is taken; rejects only when the informer stops. */
  async #offer(event: InformerEvent): Promise<void> {
    const signal = this.#abort.signal;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        await this.#options.onEvent(event, { signal });
        return;
      } catch (err) {
        signal.throwIfAborted();
        const delay = backoffDelay(attempt, this.#backoff, this.#random);
        this.#options.observer?.handlerError?.(err, event, delay);
        this.#log.warn({ err: describeError(err), attempt, retryInMs: delay }, `handling ${event.type} of ${nameOf(event.object)} failed: retrying in ${delay} ms`);
        await sleepFor(delay, undefined, { signal });
      }
    }
  }
}

function nameOf(object: KubeObject): string {
  const { namespace, name } = object.metadata ?? {};
  return namespace ? `${namespace}/${name}` : String(name);
}

/** Enough of an error for a log line: never request options or headers. */
function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof KubeApiError) return { message: err.message, status: err.status, reason: err.reason };
  if (err instanceof Error) return { message: err.message, name: err.name, ...('code' in err ? { code: err.code } : {}) };
  return { message: String(err) };
}
