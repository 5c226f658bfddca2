import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The image `scripts/dev test deploy` (and `scripts/dev image`) builds before this tier runs. */
export const heraldImage = process.env.HERALD_IMAGE ?? 'herald:dev';

/** `docker <args>`; rejects with the command's stderr. */
export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')}: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/**
 * The compose command this machine has: `docker compose` (v2+) when the plugin is installed, else Debian's
 * `docker-compose` (1.29). The stack is written for both.
 */
export function composeCommand(): string[] {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

export async function compose(project: string, files: string[], env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const [cmd, ...pre] = composeCommand();
  const full = [...pre, '--project-name', project, ...files.flatMap((f) => ['--file', f]), ...args];
  try {
    const { stdout, stderr } = await run(cmd!, full, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${full.join(' ')}: ${e.stderr?.trim() || e.stdout?.trim() || e.message}`, { cause: err });
  }
}
