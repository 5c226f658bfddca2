import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from '@herald/plugin-sdk';
import type { Counter } from '@opentelemetry/api';
import { glibcMallocTrim } from './malloc-trim.ts';

/** The event loop counts as quiet over a window when it was busy less than this share of it. */
export const QUIET_BELOW = 0.05;

/** V8's `gc` extension, present when node runs with `--expose-gc`. */
type GcExtension = (options?: { type: 'major'; flavor: 'last-resort' }) => void;

export interface IdleMemoryReleaseOptions {
  /** Quiet this long (the event loop busy under 5 % of it, on average) before a release. */
  quietForMs: number;
  /**
   * Released only when the process's RSS has grown at least this much since the last release (or the start). RSS,
   * not V8's heap size: V8's own collections shrink the heap it reports without handing its pages back.
   */
  minGrowthBytes: number;
  logger: Logger;
  /** Counts releases and the RSS they gave back. */
  releases?: { count: Counter; bytes: Counter };
  /** How often the event loop's use is sampled. */
  tickMs?: number;
  /** Collects all garbage and hands free heap pages back to the system. Default: V8's `gc` extension, if exposed. */
  collect?: () => void;
  /**
   * Then hands back the pages the C library's malloc keeps free (what node freed outside V8's heap, the collection's
   * freed buffers among it). Default: glibc's `malloc_trim` where node can call it (malloc-trim.ts), looked up at the
   * first release; null: none.
   */
  trim?: (() => unknown) | null;
  /**
   * First writes node's compile cache out (NODE_COMPILE_CACHE, which the image sets): node keeps every cached
   * file's code in memory until the process exits, to write what changed then, about 3 MiB for Herald's bundle;
   * written, node lets it go, and the collection and the trim give it back. Default: `module.flushCompileCache`
   * when the cache is on; null: none.
   */
  flushCompileCache?: (() => void) | null;
  /** The heap V8 holds now (committed, free pages included): logged. */
  heapBytes?: () => number;
  /** The share of the last tick the event loop was busy, 0..1. */
  busy?: () => number;
  /** Runs `tick` every `ms` until the returned function is called. */
  every?: (ms: number, tick: () => void) => () => void;
  rssBytes?: () => number;
}

export interface IdleMemoryRelease {
  /** False when there is nothing to release with (node runs without `--expose-gc`). */
  readonly active: boolean;
  /** Releases made so far. */
  readonly releases: number;
  stop(): void;
}

/**
 * Hands the heap V8 keeps after a burst of work back to the system once the process has been quiet a while.
 *
 * V8 grows its heap while events flow (the young generation to its cap, the old generation to 2–4 × what is
 * live before it collects) and keeps it: it shrinks only when its memory reducer runs, which it does on an
 * embedder's idle notifications, and Node sends none. Measured with `herald run` (docs/benchmarks.md, fifteenth
 * wave): RSS stayed flat for 90 s of idle after a burst; one collection when quiet took 1,000 watched Pods from
 * 139 to 110 MiB and 8,000 from 180 to 136, for 120–170 ms of CPU, once. So when the event loop has been busy
 * under 5 % of the last `quietForMs` on average and the RSS has grown by `minGrowthBytes` since the last release,
 * this asks V8 for the collection it makes under memory pressure. A plain major collection (`gc()`) would not do:
 * it frees the heap's pages into V8's own pool, and the RSS stays (measured); the `last-resort` flavour collects
 * until nothing more is freed and gives the pages back. The burst after a release pays for it, most likely by
 * compiling its code again and growing the young generation again (measured: 15–20 % more CPU per notification
 * with a release 5 s into every pause between bursts; nothing measurable with 30 s, the default).
 *
 * Before the collection, node's compile cache is written out, so that node drops the copy of it it would keep
 * until exit (`flushCompileCache`).
 *
 * After the collection, the pages the C library's malloc keeps free are handed back too (`trim`: glibc's
 * `malloc_trim` through node:ffi, malloc-trim.ts). Node's buffers, its compilers' working memory and what a start
 * or a burst freed outside V8's heap sit there, below memory still in use, where glibc never trims by itself.
 */
export function startIdleMemoryRelease(options: IdleMemoryReleaseOptions): IdleMemoryRelease {
  const exposed = (globalThis as { gc?: GcExtension }).gc;
  const collect = options.collect ?? (exposed ? () => exposed({ type: 'major', flavor: 'last-resort' }) : undefined);
  if (!collect) return { active: false, releases: 0, stop: () => undefined };
  const tickMs = options.tickMs ?? 1_000;
  const heapBytes = options.heapBytes ?? (() => getHeapStatistics().total_heap_size);
  const rssBytes = options.rssBytes ?? (() => process.memoryUsage.rss());
  const busy = options.busy ?? eventLoopBusy();
  const every = options.every ?? ((ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  });
  const { logger, releases: metrics } = options;
  const flush = options.flushCompileCache === null ? undefined : (options.flushCompileCache ?? (getCompileCacheDir() ? flushCompileCache : undefined));
  let trim = options.trim === null ? undefined : options.trim;
  let trimLookedUp = options.trim !== undefined;
  // The busy share of each tick over the last quietFor: quiet is its average, so that the short periodic work of
  // an idle process (heartbeats, lease renewals, a watch restarting) does not count as activity, and a burst does.
  const window: number[] = [];
  const ticksPerWindow = Math.max(1, Math.ceil(options.quietForMs / tickMs));
  let baseline = 0;
  let releases = 0;
  const stop = every(tickMs, () => {
    window.push(busy());
    if (window.length > ticksPerWindow) window.shift();
    if (window.length < ticksPerWindow || window.reduce((a, b) => a + b, 0) / window.length >= QUIET_BELOW) return;
    const rssBefore = rssBytes();
    if (rssBefore - baseline < options.minGrowthBytes) return;
    const heapBefore = heapBytes();
    const started = performance.now();
    try {
      flush?.();
    } catch (err) {
      logger.warn({ err }, "cannot write node's compile cache out; its copy in memory stays");
    }
    try {
      collect();
    } catch (err) {
      // Never fatal: the process only keeps the memory it had.
      logger.warn({ err }, 'cannot release idle memory');
    }
    const rssCollected = rssBytes();
    if (!trimLookedUp) {
      trimLookedUp = true;
      trim = glibcMallocTrim();
      logger.debug({ trim: trim !== undefined }, trim ? "malloc's free pages are handed back too (malloc_trim)" : "malloc's free pages stay (no malloc_trim: node without node:ffi, or not glibc)");
    }
    if (trim) {
      try {
        trim();
      } catch (err) {
        // Never again: a trim that failed once fails each time.
        trim = undefined;
        logger.warn({ err }, "cannot hand malloc's free pages back; the heap still is");
      }
    }
    baseline = rssBytes();
    window.length = 0;
    releases++;
    metrics?.count.add(1);
    metrics?.bytes.add(Math.max(0, rssBefore - baseline));
    logger.debug({ rssBefore, rssCollected, rssAfter: baseline, heapBefore, heapAfter: heapBytes(), ms: Math.round(performance.now() - started) }, 'released idle memory');
  });
  return {
    active: true,
    get releases() {
      return releases;
    },
    stop,
  };
}

/** The share of the time since the last call that the event loop was busy (Node's event-loop utilisation). */
function eventLoopBusy(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}
