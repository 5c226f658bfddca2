import { Worker } from 'node:worker_threads';

export type OffThreadRequest =
  | { readonly kind: 'condition'; readonly source: string; readonly vars: Record<string, unknown> }
  | { readonly kind: 'template'; readonly name: string; readonly source: string; readonly vars: Record<string, unknown> };

export interface OffThreadOutcome {
  readonly value?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Evaluates a condition or renders a template in a worker thread, so that an evaluation that never ends
 * (what a backtracking regex or an unbounded loop does) leaves the test runner's event loop free: the
 * test then fails on its timeout instead of hanging the run. `stop` ends the worker whatever it is doing.
 */
export function offThread(): { run(request: OffThreadRequest): Promise<OffThreadOutcome>; stop(): Promise<number> } {
  const worker = new Worker(new URL('./off-thread-worker.ts', import.meta.url));
  return {
    run: (request) =>
      new Promise((resolve, reject) => {
        // Whichever comes first removes the other: a listener left per request piles up on the worker.
        const answered = (outcome: OffThreadOutcome) => {
          worker.off('error', failed);
          resolve(outcome);
        };
        const failed = (err: Error) => {
          worker.off('message', answered);
          reject(err);
        };
        worker.once('message', answered);
        worker.once('error', failed);
        worker.postMessage(request);
      }),
    stop: () => worker.terminate(),
  };
}
