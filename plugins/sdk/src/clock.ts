import type { Clock } from './services.ts';

/**
 * The one system clock: what the kernel hands plugins as `coreServices.clock`, and what the core reads
 * where no test injected another.
 */
export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    }),
});
