/**
 * Runs `work` with an AbortSignal and rejects with `onTimeout()` when it has not settled after `ms`.
 * The signal is aborted then, and also when `parent` aborts (shutdown), so cooperative work can stop.
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, onTimeout: () => Error, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const signal = parent ? AbortSignal.any([controller.signal, parent]) : controller.signal;
  try {
    return await Promise.race([work(signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
