import type { Clock } from '@herald/plugin-sdk';

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, waking the sleeps that are due. */
  advance(ms: number): void;
  /** Sleeps not yet due. */
  pending(): number;
}

/** A Clock that moves only when the test calls `advance`. */
export function manualClock(start: Date = new Date('2026-01-01T00:00:00Z')): ManualClock {
  let now = start.getTime();
  const sleepers = new Set<{ at: number; wake(): void }>();
  return {
    now: () => new Date(now),
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper = {
          at: now + Math.max(0, ms),
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        if (ms <= 0) return sleeper.wake();
        sleepers.add(sleeper);
      });
    },
    advance(ms) {
      now += ms;
      for (const s of [...sleepers].sort((a, b) => a.at - b.at)) {
        if (s.at > now) continue;
        sleepers.delete(s);
        s.wake();
      }
    },
    pending: () => sleepers.size,
  };
}
