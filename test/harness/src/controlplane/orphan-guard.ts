import { type ChildProcess, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { killedOnExit } from '../exit-hook.ts';

const guarded = killedOnExit();

/**
 * Makes sure a server process does not outlive the test process that started it. A normal exit (even after
 * an uncaught error) kills it from the 'exit' hook; a test process killed outright runs no hook, so a tiny
 * watchdog shell also waits on a pipe from us and kills the server when that pipe closes. Returns the
 * function that lifts both once the server has been stopped the ordinary way.
 */
export function guardChild(child: ChildProcess): () => void {
  guarded.add(child);
  const watchdog = startWatchdog(child.pid);
  return () => {
    guarded.delete(child);
    watchdog?.kill('SIGKILL');
  };
}

function startWatchdog(pid: number | undefined): ChildProcess | undefined {
  if (pid === undefined) return undefined;
  // `read` returns at end of input, which is when every writer of the pipe (only us) is gone.
  const watchdog = spawn('sh', ['-c', 'read _ignored; kill -KILL "$1" 2>/dev/null', 'herald-watchdog', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {
    // Without a shell there is still the exit hook; nothing else to do.
  });
  // Neither the watchdog nor its pipe may keep the test process alive.
  watchdog.unref();
  (watchdog.stdin as (Writable & { unref?: () => void }) | null)?.unref?.();
  return watchdog;
}
