// Timers built on the global setTimeout (so that tests can fake them), undone when the signals abort.

/** Resolves after `ms`, or as soon as one of `signals` aborts. */
export function sleep(ms: number, signals: readonly AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}

/** Runs `request` with a signal that aborts after `ms` or when one of `signals` does. `what` names it in the reason. */
export async function withDeadline<T>(ms: number, signals: readonly AbortSignal[], request: (signal: AbortSignal) => Promise<T>, what: string): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort(new Error(`request on ${what} aborted`));
  const timer = setTimeout(() => controller.abort(new Error(`request on ${what} timed out after ${Math.round(ms)} ms`)), Math.max(0, ms));
  for (const s of signals) {
    if (s.aborted) abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timer);
    for (const s of signals) s.removeEventListener('abort', abort);
  }
}
