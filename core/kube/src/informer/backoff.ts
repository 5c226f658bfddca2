export interface BackoffOptions {
  /** Delay after the first failure, in milliseconds. */
  initialMs: number;
  /** Longest delay, in milliseconds. */
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 1_000, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (1 for the first retry): doubling from `initialMs`, capped at `maxMs`,
 * with "equal jitter" (between half and all of it) so that many clients cut off at once do not come back in
 * step. `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
