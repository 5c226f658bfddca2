import { spawn } from 'node:child_process';
import { freePort, waitForPort } from '../free-port.ts';
import { PAUSABLE, pauseProcess } from '../pausable.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

export interface PubsubFake {
  /** host:port, what PUBSUB_EMULATOR_HOST takes. */
  readonly host: string;
  /** Freezes the process (SIGSTOP) and resolves once all of it stopped: connections stay open and nothing is answered. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

const live = killedOnExit();

/**
 * Starts Google's own Pub/Sub fake (cloud.google.com/go/pubsub/v2/pstest, served over gRPC by
 * test/pubsub-fake; `scripts/dev` builds it) on a free loopback port. It keeps topics, subscriptions and
 * messages in memory and speaks the Pub/Sub gRPC API, as the emulator does.
 */
export async function startPubsubFake(options: { readyTimeoutMs?: number } = {}): Promise<PubsubFake> {
  const binary = toolPath('HERALD_PUBSUB_FAKE', 'pubsub-fake', 'pubsub-fake');
  const port = await freePort();
  const child = spawn(binary, ['-port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'], ...PAUSABLE });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited;
    })());
  try {
    await waitForPort(port, options.readyTimeoutMs ?? 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: `127.0.0.1:${port}`, pause: () => pauseProcess(child), resume: () => child.kill('SIGCONT'), stop };
}
