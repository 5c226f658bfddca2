import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@herald/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { startIdleMemoryRelease, type IdleMemoryReleaseOptions } from './idle-memory-release.ts';

const MiB = 1024 * 1024;

/** A process whose clock, event loop and heap the test drives: each `tick(busy)` is one second gone by. */
function harness(overrides: Partial<IdleMemoryReleaseOptions> = {}) {
  let heap = 100 * MiB;
  let busyNow = 0;
  let tickFn: (() => void) | undefined;
  const collected: number[] = [];
  const trimmed: number[] = [];
  const warnings: unknown[] = [];
  const debug: Record<string, unknown>[] = [];
  const logger: Logger = {
    trace() {},
    debug: (fields: Record<string, unknown>) => void debug.push(fields),
    info() {},
    warn: (fields: unknown) => void warnings.push(fields),
    error() {},
    child: () => logger,
  } as unknown as Logger;
  const release = startIdleMemoryRelease({
    quietForMs: 5_000,
    minGrowthBytes: 16 * MiB,
    logger,
    tickMs: 1_000,
    collect: () => {
      collected.push(heap);
      heap = 30 * MiB;
    },
    trim: () => void trimmed.push(heap),
    heapBytes: () => heap,
    rssBytes: () => heap + 50 * MiB,
    busy: () => busyNow,
    every: (_ms, tick) => {
      tickFn = tick;
      return () => {
        tickFn = undefined;
      };
    },
    ...overrides,
  });
  return {
    release,
    collected,
    trimmed,
    warnings,
    debug,
    setHeap: (bytes: number) => void (heap = bytes),
    ticks(n: number, busy = 0) {
      for (let i = 0; i < n; i++) {
        busyNow = busy;
        tickFn?.();
      }
    },
    get ticking() {
      return tickFn !== undefined;
    },
  };
}

/** The RSS grows from `base` by just under the harness's minGrowth (16 MiB): no release; by 16 MiB: the next one. */
function expectNextReleaseAtGrowthFrom(h: ReturnType<typeof harness>, base: number, setRss: (bytes: number) => void) {
  const releases = h.release.releases;
  setRss(base + 15 * MiB);
  h.ticks(10);
  expect(h.release.releases).toBe(releases);
  setRss(base + 16 * MiB);
  h.ticks(1);
  expect(h.release.releases).toBe(releases + 1);
}

/**
 * A fresh node process (`--expose-gc` and `flags`) runs `setup`, then the release on its own 10 ms timer, quiet at
 * once and released on any growth (`options` adds to those), for 100 ms, and prints `report` as JSON: an expression
 * with `release` and `debug` (what the release logged at debug level) in scope. Nothing may reach its stderr.
 */
function releaseInChild<T>(parts: { setup: string; options?: string; report: string }, flags: string[] = [], env: Record<string, string> = {}): T {
  const script = `
    const { startIdleMemoryRelease } = await import(${JSON.stringify(new URL('./idle-memory-release.ts', import.meta.url).href)});
    ${parts.setup}
    const debug = [];
    const logger = { debug(f) { debug.push(f); }, warn(f) { console.error(f); }, child() { return logger; } };
    const release = startIdleMemoryRelease({ quietForMs: 0, minGrowthBytes: 1, logger, tickMs: 10, busy: () => 0${parts.options ?? ''} });
    await new Promise((r) => setTimeout(r, 100));
    release.stop();
    console.log(JSON.stringify(${parts.report}));`;
  const child = spawnSync(process.execPath, ['--expose-gc', '--disable-warning=ExperimentalWarning', ...flags, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as T;
}

describe('handing the heap back when idle', () => {
  it('releases once the event loop has been quiet for quietFor, and not before', () => {
    const h = harness();
    h.ticks(4);
    expect(h.collected).toEqual([]);
    h.ticks(1);
    expect(h.collected).toEqual([100 * MiB]);
    expect(h.release.releases).toBe(1);
    expect(h.debug[0]).toMatchObject({ heapBefore: 100 * MiB, heapAfter: 30 * MiB, rssBefore: 150 * MiB, rssCollected: 80 * MiB, rssAfter: 80 * MiB });
  });

  it("hands malloc's free pages back after each collection, and only then", () => {
    const h = harness();
    h.ticks(4);
    expect(h.trimmed).toEqual([]);
    h.ticks(1);
    // Trimmed after the collection: the heap it saw was the collected one.
    expect(h.trimmed).toEqual([30 * MiB]);
    h.setHeap(30 * MiB + 26 * MiB);
    h.ticks(5);
    expect(h.collected).toEqual([100 * MiB, 56 * MiB]);
    expect(h.trimmed).toEqual([30 * MiB, 30 * MiB]);
  });

  it('logs and counts what the collection and the trim gave back together, and measures growth from after the trim', () => {
    let rss = 200 * MiB;
    const h = harness({ rssBytes: () => rss, collect: () => void (rss = 150 * MiB), trim: () => void (rss = 120 * MiB) });
    h.ticks(5);
    expect(h.debug.at(-1)).toMatchObject({ rssBefore: 200 * MiB, rssCollected: 150 * MiB, rssAfter: 120 * MiB });
    expectNextReleaseAtGrowthFrom(h, 120 * MiB, (bytes) => void (rss = bytes));
  });

  it('keeps releasing the heap when the trim throws, says so once and trims no more', () => {
    let calls = 0;
    const h = harness({
      trim: () => {
        calls++;
        throw new Error('no');
      },
    });
    h.ticks(5);
    h.setHeap(100 * MiB);
    h.ticks(5);
    expect(h.release.releases).toBe(2);
    expect(h.collected).toEqual([100 * MiB, 100 * MiB]);
    expect(calls).toBe(1);
    expect(h.warnings).toHaveLength(1);
  });

  it("writes node's compile cache out before the collection, so that the collection and the trim give its copy back", () => {
    const order: string[] = [];
    const h = harness({ flushCompileCache: () => void order.push('flush'), collect: () => void order.push('collect'), trim: () => void order.push('trim') });
    h.ticks(5);
    expect(order).toEqual(['flush', 'collect', 'trim']);
  });

  it('still collects and trims when writing the compile cache out throws, and says so', () => {
    const h = harness({
      flushCompileCache: () => {
        throw new Error('read-only');
      },
    });
    h.ticks(5);
    expect(h.collected).toEqual([100 * MiB]);
    expect(h.trimmed).toEqual([30 * MiB]);
    expect(h.warnings).toHaveLength(1);
  });

  it('trims nothing when told not to (null)', () => {
    const h = harness({ trim: null });
    h.ticks(5);
    expect(h.release.releases).toBe(1);
    expect(h.trimmed).toEqual([]);
  });

  it('waits until a busy second has left the quiet window', () => {
    const h = harness();
    h.ticks(4);
    h.ticks(1, 0.3);
    h.ticks(4);
    expect(h.collected).toEqual([]);
    h.ticks(1);
    expect(h.collected).toHaveLength(1);
  });

  it('counts an idle process with short periodic work as quiet (a heartbeat, a lease renewal), on average', () => {
    const h = harness({ quietForMs: 30_000 });
    for (let i = 0; i < 2; i++) {
      h.ticks(1, 0.2);
      h.ticks(9);
    }
    h.ticks(1, 0.2);
    expect(h.collected).toEqual([]);
    h.ticks(9);
    expect(h.collected).toHaveLength(1);
  });

  it('counts a steady trickle of work above 5 % of the loop as activity', () => {
    const h = harness({ quietForMs: 30_000 });
    h.ticks(120, 0.06);
    expect(h.collected).toEqual([]);
  });

  it('counts a second under 5 % busy as quiet (timers and heartbeats), and one at 5 % as busy', () => {
    const h = harness();
    h.ticks(5, 0.049);
    expect(h.collected).toHaveLength(1);
    const busy = harness();
    busy.ticks(5, 0.05);
    expect(busy.collected).toEqual([]);
  });

  it('releases again only after the RSS has grown by minGrowth since the last release', () => {
    const h = harness();
    h.ticks(5);
    expect(h.collected).toHaveLength(1);
    h.setHeap(30 * MiB + 15 * MiB);
    h.ticks(60);
    expect(h.collected).toHaveLength(1);
    h.setHeap(30 * MiB + 16 * MiB);
    h.ticks(1);
    expect(h.collected).toEqual([100 * MiB, 46 * MiB]);
  });

  it('goes by the RSS, not by the heap V8 reports: its own collections shrink that and keep the pages', () => {
    let rss = 200 * MiB;
    const h = harness({ heapBytes: () => 20 * MiB, rssBytes: () => rss, collect: () => void (rss = 120 * MiB) });
    h.ticks(5);
    expect(h.release.releases).toBe(1);
    expectNextReleaseAtGrowthFrom(h, 120 * MiB, (bytes) => void (rss = bytes));
  });

  it('keeps serving when the collection throws, and says so', () => {
    const h = harness({
      collect: () => {
        throw new Error('no');
      },
    });
    h.ticks(5);
    expect(h.warnings).toHaveLength(1);
    expect(h.release.releases).toBe(1);
  });

  it('stops sampling when stopped', () => {
    const h = harness();
    expect(h.ticking).toBe(true);
    h.release.stop();
    expect(h.ticking).toBe(false);
  });

  it('is inactive when node runs without --expose-gc', () => {
    const exposed = (globalThis as { gc?: unknown }).gc;
    delete (globalThis as { gc?: unknown }).gc;
    try {
      const release = startIdleMemoryRelease({ quietForMs: 5_000, minGrowthBytes: 16 * MiB, logger: {} as Logger });
      expect(release.active).toBe(false);
      release.stop();
    } finally {
      if (exposed !== undefined) (globalThis as { gc?: unknown }).gc = exposed;
    }
  });

  it('hands pages back to the system with the default collection (node --expose-gc)', () => {
    // A fresh process: fills V8's young and old generations with garbage, as a burst of events does, then lets the
    // release run on its own timer. RSS is read from /proc by the child before and after.
    const result = releaseInChild<{ active: boolean; releases: number; before: number; after: number }>(
      {
        setup: `
          let keep = [];
          for (let i = 0; i < 400_000; i++) { keep.push({ i, s: 'x'.repeat(64) + i }); if (keep.length > 50_000) keep = []; }
          keep = [];
          const before = process.memoryUsage.rss();`,
        report: '{ active: release.active, releases: release.releases, before, after: process.memoryUsage.rss() }',
      },
      ['--max-semi-space-size=16'],
    );
    expect(result.active).toBe(true);
    expect(result.releases).toBeGreaterThanOrEqual(1);
    // Measured (Node 26): 142–152 MiB → 67–70, loaded machine or not; a plain major collection gives back none.
    expect(result.before - result.after).toBeGreaterThan(16 * MiB);
  }, 60_000);

  it("hands back the pages malloc kept free after node freed its buffers, where node can call malloc_trim (glibc, node:ffi)", () => {
    // Buffers' memory is malloc's, not V8's heap. 300,000 of them, then all but every 50th dropped: the pages
    // between those kept are free, below memory in use, where glibc never trims by itself. The same process run
    // with node's FFI off (--no-experimental-ffi) is the release without the trim.
    const run = (...flags: string[]) =>
      releaseInChild<{ after: number; debug: { trim?: boolean }[] }>(
        {
          setup: `
            let all = [];
            for (let i = 0; i < 300_000; i++) all.push(Buffer.allocUnsafeSlow(200));
            const kept = all.filter((_, i) => i % 50 === 0);
            all = [];`,
          report: '{ kept: kept.length, after: process.memoryUsage.rss(), debug }',
        },
        flags,
      );
    const trimmed = run();
    const untrimmed = run('--no-experimental-ffi');
    expect(trimmed.debug[0]).toEqual({ trim: true });
    expect(untrimmed.debug[0]).toEqual({ trim: false });
    // The RSS after the release, not how much it fell: the RSS before it depends on whether V8 happened to collect
    // the buffers' wrappers before it was read (259 or 305 MiB in the same run, on a loaded machine), which moved
    // the fall by 45 MiB while the RSS after stayed put. Measured (Node 26): 92–96 MiB trimmed, 174–177 without.
    expect(untrimmed.after - trimmed.after).toBeGreaterThan(40 * MiB);
  }, 60_000);

  it("writes node's compile cache at the release, not only at exit (NODE_COMPILE_CACHE)", () => {
    // Node keeps what it read from the cache, and what it compiled, in memory until exit, when it writes the cache
    // out; written at the release, the files are there while the process runs.
    const run = (options: string) => {
      const cache = mkdtempSync(join(tmpdir(), 'herald-compile-cache-'));
      try {
        return releaseInChild<{ releases: number; written: number }>(
          {
            setup: `
              const { getCompileCacheDir } = await import('node:module');
              const { readdirSync } = await import('node:fs');
              await import('yaml');`,
            options: `, collect: () => {}, trim: null${options}`,
            report: '{ releases: release.releases, written: readdirSync(getCompileCacheDir()).length }',
          },
          [],
          { NODE_COMPILE_CACHE: cache },
        );
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    };
    // One release or more in the 100 ms (each time the RSS has grown a byte): the files are what is asserted.
    const flushed = run('');
    expect(flushed.releases).toBeGreaterThanOrEqual(1);
    expect(flushed.written).toBeGreaterThan(0);
    const unflushed = run(', flushCompileCache: null');
    expect(unflushed.releases).toBeGreaterThanOrEqual(1);
    expect(unflushed.written).toBe(0);
  }, 60_000);
});
