/** Statuses worth repeating the same request for; 501 (the server cannot do this method) is final, as in Argo. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // HTTP dates name the day and month; Date.parse alone would take "-1" for a year.
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Wait before retry number `retry` (0-based): exponential from `min`, with jitter, never below `min` or
 * above `max`: [min, 2·min], then [min, 4·min]… Jitter keeps replicas that failed together from
 * retrying together.
 */
export function backoffMs(retry: number, min: number, max: number, random: () => number = Math.random): number {
  const low = Math.min(min, max);
  const high = Math.min(max, low * 2 ** (retry + 1));
  return Math.round(low + random() * (high - low));
}

/** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
