import type { KV } from '@nats-io/kv';
import type { Logger, ResyncRequest, ResyncRequests } from '@herald/plugin-sdk';
import { encodeKvKey, type KvStore } from './kv-store.ts';

/**
 * Where the resync requests live: one key of the plugins bucket, in a group no plugin id can name (ids are
 * lower-case words). Its value is JSON: `parts` (a digest of each part of the notification config that decides
 * what an unchanged object is sent: `trigger.<name>`, `subscriptions`, `defaultTriggers`,
 * `defaultTriggers.<service>`, `service.<name>`), `resync`, `reason` and `at`. Its revision is the request's.
 */
export const RESYNC_GROUP = ':herald';
export const RESYNC_KEY = 'resync';
/** The KV key, as a plugin written in another language watches it (docs/reference/bus.md). */
export const RESYNC_KV_KEY = encodeKvKey(RESYNC_GROUP, RESYNC_KEY);

/** How long a broken watch waits before it watches again, from the last revision it handed over. */
const REWATCH_MS = 1_000;
/** A record that keeps losing compare-and-set races gives up (another process recorded the same config). */
const RECORD_ATTEMPTS = 5;

interface Stored {
  parts: Record<string, string>;
  resync: boolean;
  reason: string;
  at: string;
}

/**
 * The resync requests of one bus (the SDK's ResyncRequests), and, for the evaluator, `record`: the config's
 * parts are compared with those recorded, and a difference that can make an unchanged object get a
 * notification (a part added or changed) is a request.
 */
export class BusResyncRequests implements ResyncRequests {
  readonly #store: KvStore;
  readonly #kv: KV;
  readonly #logger: Logger;

  constructor(store: KvStore, kv: KV, logger: Logger) {
    this.#store = store;
    this.#kv = kv;
    this.#logger = logger;
  }

  async latest(): Promise<ResyncRequest | undefined> {
    const entry = await this.#store.get(RESYNC_GROUP, RESYNC_KEY);
    return entry ? request(entry.value, entry.revision) : undefined;
  }

  watch(after: number | undefined, handler: (request: ResyncRequest) => void): { stop(): void } {
    const stopping = new AbortController();
    let last = after;
    let iterator: { stop(): void } | undefined;
    const run = async () => {
      // A bus that is down fails every attempt: said once, and again once it watches.
      let failing = false;
      while (!stopping.signal.aborted) {
        try {
          const watch = await this.#kv.watch({ key: RESYNC_KV_KEY, ignoreDeletes: true, ...(last === undefined ? { include: 'history' as const } : { resumeFromRevision: last + 1 }) });
          iterator = watch;
          if (stopping.signal.aborted) watch.stop();
          if (failing) this.#logger.info({}, 'watching the resync requests again');
          failing = false;
          for await (const entry of watch) {
            if (entry.operation !== 'PUT' || (last !== undefined && entry.revision <= last)) continue;
            last = entry.revision;
            const made = request(entry.string(), entry.revision);
            if (!made) continue;
            try {
              handler(made);
            } catch (err) {
              this.#logger.warn({ err, revision: made.revision }, 'a resync request handler failed');
            }
          }
        } catch (err) {
          if (!stopping.signal.aborted && !failing) this.#logger.warn({ err }, `cannot watch the resync requests: trying again every ${REWATCH_MS} ms`);
          failing = true;
        }
        if (stopping.signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, REWATCH_MS).unref());
      }
    };
    void run();
    return {
      stop: () => {
        stopping.abort();
        iterator?.stop();
      },
    };
  }

  /**
   * Records the parts of the notification config now in force. A request is made when a part was added or
   * changed since the parts recorded (resolves with it); the first parts ever recorded, parts only removed,
   * or the same parts make none (resolves undefined; the parts are recorded all the same).
   */
  async record(parts: Record<string, string>, now: Date = new Date()): Promise<ResyncRequest | undefined> {
    for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
      const entry = await this.#store.get(RESYNC_GROUP, RESYNC_KEY);
      const before = entry ? parse(entry.value) : undefined;
      if (before && sameParts(before.parts, parts)) return undefined;
      const grown = before ? changedParts(before.parts, parts) : [];
      const stored: Stored = { parts, resync: grown.length > 0, reason: before ? describe(before.parts, parts) : 'the first notification config', at: now.toISOString() };
      const value = JSON.stringify(stored);
      const revision = entry ? await this.#store.update(RESYNC_GROUP, RESYNC_KEY, value, entry.revision) : await this.#store.create(RESYNC_GROUP, RESYNC_KEY, value);
      if (revision === undefined) continue;
      return stored.resync ? { revision, resync: true, reason: stored.reason, at: stored.at } : undefined;
    }
    return undefined;
  }
}

function request(value: string, revision: number): ResyncRequest | undefined {
  const stored = parse(value);
  return stored ? { revision, resync: stored.resync, reason: stored.reason, at: stored.at } : undefined;
}

function parse(value: string): Stored | undefined {
  try {
    const stored = JSON.parse(value) as Stored;
    return typeof stored === 'object' && stored !== null && typeof stored.parts === 'object' && typeof stored.resync === 'boolean' ? stored : undefined;
  } catch {
    return undefined;
  }
}

function sameParts(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** The parts added or changed: what can make an unchanged object get a notification it did not get. */
function changedParts(before: Record<string, string>, now: Record<string, string>): string[] {
  return Object.keys(now).filter((k) => before[k] !== now[k]);
}

function describe(before: Record<string, string>, now: Record<string, string>): string {
  const out = [
    ...Object.keys(now)
      .filter((k) => before[k] !== now[k])
      .map((k) => `${k} ${before[k] === undefined ? 'added' : 'changed'}`),
    ...Object.keys(before)
      .filter((k) => now[k] === undefined)
      .map((k) => `${k} removed`),
  ];
  return out.sort().join(', ');
}
