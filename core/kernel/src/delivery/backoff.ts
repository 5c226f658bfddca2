export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /**
   * `full`: anywhere between 0 and the delay; `equal`: between half the delay and the delay; `none`: the
   * delay itself. Jitter keeps the retries of notifications that failed together from coming back together.
   */
  jitter: Jitter;
}

/** Milliseconds before the next attempt after the `failures`-th failure: min(base·2^(failures-1), max), jittered. */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.baseMs * 2 ** Math.max(0, failures - 1), policy.maxMs);
  if (policy.jitter === 'full') return Math.round(random() * ceiling);
  if (policy.jitter === 'equal') return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return ceiling;
}
