import { readdirSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { eventually } from './eventually.ts';

/**
 * Spawn options for a server a test freezes with SIGSTOP (`pause()`): a session and process group of its
 * own. In the test run's group, the kernel sends SIGHUP then SIGCONT to every stopped member whenever the
 * group becomes orphaned (some process of the run exits, as a test worker does), and where SIGHUP is ignored
 * (a runner started under nohup) only the SIGCONT is felt: the "hung" server answered in the middle of a
 * test that counted on its silence. Seen in CI as a send to a paused server that succeeded.
 */
export const PAUSABLE = { detached: true } as const;

/**
 * Freezes a child with SIGSTOP and resolves once every thread of it is stopped. kill() returns when the
 * signal is queued; the group stop begins only when one of the process's threads is scheduled and takes the
 * signal, and until then its other threads run on. On a loaded machine that is long enough for a Go server's
 * network thread to answer a request sent right after the pause: seen in CI as a send to a "hung" nats-server
 * that succeeded. The threads' states are read from /proc (Linux, as every Herald test machine is).
 */
export async function pauseProcess(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !child.kill('SIGSTOP')) throw new Error(`could not stop process ${String(pid)}: it is not running`);
  await eventually(async () => {
    const running = threadStates(pid).filter((state) => state !== 'T');
    if (running.length > 0) throw new Error(`process ${pid} has ${running.length} thread(s) not stopped yet (states ${running.join('')})`);
  }, 10_000);
}

// The state letter of each thread: the field after the command, which is in parentheses and may hold spaces.
function threadStates(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  });
}
