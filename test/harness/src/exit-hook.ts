import type { ChildProcess } from 'node:child_process';

const hooks = new Set<() => void>();
let installed = false;

/**
 * Runs `hook` when this process exits, even after an uncaught error. One 'exit' listener for the whole harness,
 * however many of its modules a test loads (one each tripped Node's warning of a listener leak at eleven).
 */
export function onProcessExit(hook: () => void): void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const h of hooks) {
        try {
          h();
        } catch {
          // One hook failing must not keep the others from running (a server left behind).
        }
      }
    });
  }
  hooks.add(hook);
}

/** A set of server processes killed (SIGKILL) when this process exits, so none outlives the test that started it. */
export function killedOnExit(): Set<ChildProcess> {
  const live = new Set<ChildProcess>();
  onProcessExit(() => {
    for (const child of live) child.kill('SIGKILL');
  });
  return live;
}
