import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../tools.ts';

export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The helm CLI that `scripts/dev` built, with a home of its own (no repositories, cache or plugins of the machine's user). */
export interface Helm {
  /** Runs `helm <args>` against the given kubeconfig; resolves with the exit code, never rejects on a failing command. */
  run(args: readonly string[], kubeconfig?: string): Promise<HelmResult>;
  /** As run, but rejects with helm's stderr unless it exits 0; resolves with stdout. */
  ok(args: readonly string[], kubeconfig?: string): Promise<string>;
  /** Removes the helm home. */
  close(): Promise<void>;
}

export async function startHelm(binary = toolPath('HERALD_HELM', 'helm', 'helm')): Promise<Helm> {
  const home = await mkdtemp(join(tmpdir(), 'herald-helm-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  const run = (args: readonly string[], kubeconfig?: string) =>
    new Promise<HelmResult>((resolve) => {
      execFile(binary, [...args], { env: kubeconfig ? { ...env, KUBECONFIG: kubeconfig } : env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  return {
    run,
    async ok(args, kubeconfig) {
      const r = await run(args, kubeconfig);
      if (r.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
      return r.stdout;
    },
    close: () => rm(home, { recursive: true, force: true }),
  };
}
