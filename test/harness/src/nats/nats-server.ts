import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../free-port.ts';
import { toolPath } from '../tools.ts';

export interface StartNatsOptions {
  /** Loopback port; a free one when absent. */
  port?: number;
  /** JetStream store directory; a new temp dir when absent. Reused by restart(). */
  storeDir?: string;
  readyTimeoutMs?: number;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly logPath: string;
  /** True while the server process runs. */
  running(): boolean;
  /** Graceful stop (SIGTERM), waiting for the process to exit. Idempotent. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Start again on the same port and store directory. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts a real nats-server with JetStream on 127.0.0.1. */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const binary = toolPath('HERALD_NATS_SERVER', 'nats-server', 'nats-server');
  const port = options.port ?? (await freePort());
  const ownDir = mkdtempSync(join(tmpdir(), 'herald-nats-'));
  const storeDir = options.storeDir ?? join(ownDir, 'jetstream');
  const logPath = join(ownDir, 'nats-server.log');
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  let child: ChildProcess | undefined;

  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });

  async function start(): Promise<void> {
    if (child) return;
    const log = createWriteStream(logPath, { flags: 'a' });
    const c = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-n', `herald-test-${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    c.stdout?.pipe(log);
    c.stderr?.pipe(log);
    live.add(c);
    c.once('exit', () => {
      live.delete(c);
      if (child === c) child = undefined;
    });
    child = c;
    await waitForPort(port, readyTimeoutMs);
  }

  async function signal(sig: NodeJS.Signals): Promise<void> {
    const c = child;
    if (!c) return;
    c.kill(sig);
    await exited(c);
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    logPath,
    running: () => child !== undefined,
    start,
    stop: async () => {
      await signal('SIGTERM');
      if (!process.env.HERALD_KEEP_TEST_DIRS) rmSync(ownDir, { recursive: true, force: true });
    },
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await start();
    },
  };
}
