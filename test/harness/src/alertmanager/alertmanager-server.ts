import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

/** An alert as Alertmanager's v2 API lists it (`GET /api/v2/alerts`), the fields tests look at. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL?: string;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: string };
}

export interface AlertmanagerServer {
  /** `127.0.0.1:<port>`: what a service's `targets` lists. */
  readonly target: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly logPath: string;
  /** The alerts it holds, as its v2 API returns them. */
  alerts(): Promise<AlertmanagerAlert[]>;
  /** Graceful stop, waiting for the process to exit. Idempotent. */
  stop(): Promise<void>;
}

const live = killedOnExit();

// One receiver that sends nothing: the tests read alerts back through the API, not from notifications.
const CONFIG = `route:
  receiver: blackhole
receivers:
  - name: blackhole
`;

/**
 * Starts a real Prometheus Alertmanager on a free loopback port, clustering off, with a temp config and
 * storage; resolves once `/-/ready` answers 200.
 */
export async function startAlertmanager(options: { readyTimeoutMs?: number } = {}): Promise<AlertmanagerServer> {
  const binary = toolPath('HERALD_ALERTMANAGER', 'alertmanager', 'alertmanager');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herald-alertmanager-'));
  const logPath = join(dir, 'alertmanager.log');
  writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
  const args = [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // An empty cluster address switches gossip off: no port of its own, no peers to wait for.
    '--cluster.listen-address=',
    '--log.level=warn',
  ];
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (!process.env.HERALD_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not become ready on ${url} (log: ${logPath})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    target: `127.0.0.1:${port}`,
    url,
    logPath,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`alertmanager GET /api/v2/alerts: ${res.status} ${await res.text()}`);
      return (await res.json()) as AlertmanagerAlert[];
    },
    stop,
  };
}
