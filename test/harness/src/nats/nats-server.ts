import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../eventually.ts';
import { freePort, waitForPort } from '../free-port.ts';
import { PAUSABLE, pauseProcess } from '../pausable.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

export interface StartNatsOptions {
  /** Loopback port; a free one when absent. */
  port?: number;
  /** JetStream store directory; a new temp dir when absent. Reused by restart(). */
  storeDir?: string;
  readyTimeoutMs?: number;
  /**
   * nats-server config file text (e.g. an `authorization` block with users, nkeys and permissions); the
   * command line still sets the address, port and JetStream. `reload()` replaces it.
   */
  config?: string;
  /** Serve the HTTP monitoring endpoints (/connz…) on a free loopback port, at `monitorUrl`. */
  monitor?: boolean;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly logPath: string;
  /** http://127.0.0.1:<port> of the monitoring endpoints, when started with `monitor`. */
  readonly monitorUrl: string | undefined;
  /**
   * Freezes the process (SIGSTOP) and resolves once all of it stopped: connections stay open and nothing is
   * answered, as a hung server.
   */
  pause(): Promise<void>;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Replaces the config file's text and has the server reload it (SIGHUP); resolves once it logged the reload. */
  reload(config: string): Promise<void>;
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

const live = killedOnExit();

/** Starts a real nats-server with JetStream on 127.0.0.1. */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const binary = toolPath('HERALD_NATS_SERVER', 'nats-server', 'nats-server');
  const port = options.port ?? (await freePort());
  const ownDir = mkdtempSync(join(tmpdir(), 'herald-nats-'));
  const storeDir = options.storeDir ?? join(ownDir, 'jetstream');
  const logPath = join(ownDir, 'nats-server.log');
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const configPath = join(ownDir, 'nats-server.conf');
  const serverName = `herald-test-${port}`;
  // A reload re-reads the file only: what the command line set that the file does not is taken as changed
  // (and refused), so the server name moves into the file.
  const writeConfig = (text: string) => writeFileSync(configPath, `server_name: ${serverName}\n${text}\n`);
  if (options.config !== undefined) writeConfig(options.config);
  const monitorPort = options.monitor ? await freePort() : undefined;
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
  if (options.config !== undefined) args.push('-c', configPath);
  else args.push('-n', serverName);
  if (monitorPort !== undefined) args.push('-m', String(monitorPort));
  let child: ChildProcess | undefined;

  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });

  async function start(): Promise<void> {
    if (child) return;
    const log = createWriteStream(logPath, { flags: 'a' });
    // In a session of its own (see PAUSABLE in ../pausable.ts): a pause must hold.
    const c = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], ...PAUSABLE });
    c.stdout?.pipe(log);
    c.stderr?.pipe(log);
    live.add(c);
    c.once('exit', () => {
      live.delete(c);
      if (child === c) child = undefined;
    });
    child = c;
    // Ready when this process says so: the port alone could be answered by another server that took it
    // while this one was stopped.
    let said = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        said = (said + chunk.toString('utf8')).slice(-4096);
        if (said.includes('Server is ready')) {
          c.stderr?.off('data', onData);
          resolve();
        }
      };
      c.stderr?.on('data', onData);
      c.once('exit', (code, sig) => reject(new Error(`nats-server on port ${port} exited at start (${sig ?? `code ${code}`}): ${said.trim().split('\n').slice(-3).join(' | ')}`)));
      setTimeout(() => reject(new Error(`nats-server on port ${port} did not say it is ready within ${readyTimeoutMs} ms: ${said.trim().split('\n').slice(-3).join(' | ')}`)), readyTimeoutMs).unref();
    });
    await Promise.all([waitForPort(port, readyTimeoutMs), ready]);
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
    monitorUrl: monitorPort === undefined ? undefined : `http://127.0.0.1:${monitorPort}`,
    running: () => child !== undefined,
    pause: async () => {
      if (!child) throw new Error(`nats-server on port ${port} is not running: nothing to pause`);
      await pauseProcess(child);
    },
    resume: () => child?.kill('SIGCONT'),
    reload: async (config) => {
      if (options.config === undefined) throw new Error('reload() needs a server started with a config');
      const reloads = () => readFileSync(logPath, 'utf8').split('Reloaded server configuration').length - 1;
      const before = reloads();
      writeConfig(config);
      child?.kill('SIGHUP');
      await eventually(async () => {
        if (reloads() <= before) throw new Error(`nats-server has not reloaded its config (log: ${logPath})`);
      }, 15_000);
    },
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
