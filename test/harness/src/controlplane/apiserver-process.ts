import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { guardChild } from './orphan-guard.ts';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  readonly error?: Error;
}

/** A server process whose stdout and stderr go to a log file rather than to the test output. */
export interface LoggedProcess {
  readonly pid: number | undefined;
  /** Settles when the process has exited (or could not be started); never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL after graceMs. Safe to call more than once. */
  stop(graceMs: number): Promise<ProcessExit>;
}

export function spawnLogged(binary: string, args: readonly string[], logFile: string): LoggedProcess {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
  const release = guardChild(child);
  let done = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  }).then((exit) => {
    done = true;
    release();
    return exit;
  });
  return {
    pid: child.pid,
    exited,
    async stop(graceMs) {
      if (done) return exited;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited, delay(graceMs, undefined, { ref: false })]);
      if (graceful === undefined) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** The last lines of a log file, for error messages. */
export async function logTail(logFile: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(logFile, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
