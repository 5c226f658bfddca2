import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const example = fileURLToPath(new URL('../../../../examples/python-sink/', import.meta.url));

/**
 * The Python that has the example's requirements: $HERALD_PYTHON (scripts/dev exports it for the e2e tier),
 * else the venv scripts/dev made for this requirements file in the cache.
 */
export function pythonWithRequirements(): string {
  if (process.env.HERALD_PYTHON) return process.env.HERALD_PYTHON;
  const key = createHash('sha256').update(readFileSync(join(example, 'requirements.txt'))).digest('hex').slice(0, 12);
  const cache = process.env.HERALD_CACHE ?? join(homedir(), '.cache', 'herald');
  const found = existsSync(cache) ? readdirSync(cache).filter((d) => d.startsWith('python-')).map((d) => join(cache, d, key)).find((d) => existsSync(join(d, '.complete'))) : undefined;
  if (!found) throw new Error(`no venv with examples/python-sink/requirements.txt: run the tests through 'scripts/dev test e2e' (or set HERALD_PYTHON)`);
  return join(found, 'bin', 'python');
}

export interface PythonSinkProcess {
  readonly pid: number;
  readonly logs: () => string;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to finish or acknowledge anything. */
  kill(): Promise<void>;
}

/** Runs examples/python-sink/sink.py as a user would, and waits until it has its durable consumer. */
export async function startPythonSink(env: Record<string, string>): Promise<PythonSinkProcess> {
  const child: ChildProcess = spawn(pythonWithRequirements(), [join(example, 'sink.py')], { env: { ...process.env, PYTHONUNBUFFERED: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (const deadline = Date.now() + 30_000; !err.includes('"msg": "running"'); await delay(50)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Python sink did not start (exit ${child.exitCode}):\n${err}`);
    }
  }
  return {
    pid: child.pid!,
    logs: () => err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
