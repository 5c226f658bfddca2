import { systemClock } from '@herald/plugin-sdk';
import type { HostClock } from '../host/index.ts';

/** How often the same warning about the same object is logged by default: every event would flood the log. */
export const DEFAULT_WARNING_INTERVAL_MS = 10 * 60_000;

// Objects remembered at most; past it the oldest entries are forgotten (they may warn again early).
const MAX_REMEMBERED = 10_000;

/**
 * Lets a warning about an object through once per interval: a broken subscription annotation is seen on
 * every change of its object (a Pod's status changes often), and one line per interval says it as well.
 */
export class WarningLimiter {
  readonly #intervalMs: number;
  readonly #clock: HostClock;
  /** (object, warning) → when it was last logged and how many were held back since. */
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(intervalMs = DEFAULT_WARNING_INTERVAL_MS, clock: HostClock = systemClock) {
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** Undefined when the warning was logged less than an interval ago; else how many were held back since. */
  admit(object: string, warning: string): { suppressed: number } | undefined {
    const key = `${object}\u0000${warning}`;
    const now = this.#clock.now().getTime();
    const seen = this.#last.get(key);
    if (seen && now - seen.at < this.#intervalMs) {
      seen.suppressed++;
      return undefined;
    }
    this.#last.delete(key);
    this.#last.set(key, { at: now, suppressed: 0 });
    if (this.#last.size > MAX_REMEMBERED) this.#last.delete(this.#last.keys().next().value!);
    return { suppressed: seen?.suppressed ?? 0 };
  }
}
