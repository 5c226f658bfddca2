import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls fn every 100 ms until it resolves, and resolves with its value; past timeoutMs, rejects with its
 * last error. RBAC, CRDs and a restarted apiserver take a moment to apply.
 */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(100);
    }
  }
}
