import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const main = fileURLToPath(new URL('../../../../core/cli/src/main.ts', import.meta.url));

export interface HeraldProcess {
  readonly configPath: string;
  /** The OS process id of the `herald run` process. */
  readonly pid: number;
  /** Everything written to stderr (JSON log lines) and stdout so far. */
  readonly logs: () => string;
  readonly stdout: () => string;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `herald <args>` (a one-shot command: status, route test…) as its own OS process, to its exit. */
export function runHeraldCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=herald-source', main, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `herald run -c <config> -o json` as its own OS process, as a user would, and waits until it
 * reports running. `config` is written as herald.yaml (JSON is YAML).
 */
export async function startHerald(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<HeraldProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const configPath = join(dir, 'herald.yaml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  let out = '';
  let err = '';
  const child: ChildProcess = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-c', configPath, '-o', 'json', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!out.includes('"event":"running"')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`herald did not start (exit ${child.exitCode}):\n${out}\n${err.split('\n').slice(-30).join('\n')}`);
    }
    await delay(50);
  }
  return {
    configPath,
    pid: child.pid!,
    logs: () => err,
    stdout: () => out,
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

/**
 * The error a `herald run` that must not boot printed (`-o json`, its first stdout line), from `start` (a
 * startHerald call); fails when it started or exited other than 1.
 */
export async function bootFailure(start: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  const failure = await start().then(
    () => 'started',
    (err: unknown) => (err as Error).message,
  );
  if (!/^herald did not start \(exit 1\)/.test(failure)) throw new Error(`expected herald run to exit 1 without starting, got: ${failure.slice(0, 500)}`);
  return (JSON.parse(failure.split('\n')[1]!) as { error: { code: string; message: string } }).error;
}
