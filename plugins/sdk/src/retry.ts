// Retry helpers shared by the core (bus, delivery, Kubernetes client) and by sinks that talk HTTP. One of
// each: a backoff, an abortable sleep, the delay an error asks for, and what HTTP says about retrying.

export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffPolicy {
  /** Delay after the first failure, in milliseconds. */
  baseMs: number;
  /** Longest delay, in milliseconds. */
  maxMs: number;
  /**
   * `full`: anywhere between 0 and the delay; `equal` (default): between half the delay and the delay;
   * `none`: the delay itself. Jitter keeps the retries of work that failed together from coming back together.
   */
  jitter?: Jitter;
}

/**
 * Milliseconds to wait after the `failures`-th failure (1 for the first): min(base·2^(failures-1), max),
 * jittered. `random` returns a number in [0, 1).
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 52));
  const ceiling = Math.min(policy.baseMs * 2 ** exponent, policy.maxMs);
  const jitter = policy.jitter ?? 'equal';
  if (jitter === 'full') return Math.round(random() * ceiling);
  if (jitter === 'equal') return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return ceiling;
}

/**
 * The promise's outcome, or a rejection with the signal's reason once the signal aborts first: bounds a
 * call into a client library that takes no AbortSignal (a Pub/Sub publish, a NATS flush) by the send's.
 * The call itself goes on; its late outcome is ignored.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/** Sleeps `ms`; resolves true when the time is up, false at once when `signal` aborts first. Never rejects. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The delay an error asks for before the work is tried again (a DeliveryError's `Retry-After`, a step
 * aside, a Kubernetes 429): its `retryAfterMs` when that is a finite number ≥ 0, else undefined.
 */
export function retryAfterOf(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown } | null | undefined)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | readonly string[] | undefined, now = Date.now()): number | undefined {
  const text = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // HTTP dates name the day and month; Date.parse alone would take "-1" for a year.
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** HTTP statuses worth repeating the same request for; 501 (the server cannot do this method) is final, as in Argo. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}
