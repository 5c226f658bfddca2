import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '@herald/plugin-nats';
import type { BusOptions } from './bus.ts';
import { natsConnectOptions } from './connection-options.ts';
import { BusError, BusErrorCodes } from './errors.ts';
import { redactServerUrls } from './server-url.ts';

/** Where an operator's command connects: the bus's servers and auth, and a bound on every wait. */
export interface OperatorConnectOptions extends Pick<BusOptions, 'servers' | 'auth' | 'tls'> {
  name: string;
  /** Bound on connecting and on each request: a command fails rather than wait for a server. */
  timeoutMs: number;
}

/**
 * One connection for an operator's command (`herald dlq`, `status`, `replay`): unlike the engine's it does
 * not wait for the server nor reconnect, and fails within the timeout with the servers' URLs redacted.
 */
export async function connectOperator(options: OperatorConnectOptions): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const where = redactServerUrls(options.servers.join(', '));
  let nc: NatsConnection;
  try {
    const connecting = connectNats(natsConnectOptions(options, { timeout: options.timeoutMs, reconnect: false }));
    nc = await withTimeout(connecting, options.timeoutMs, () => void connecting.then((c) => c.close(), () => undefined));
  } catch (cause) {
    throw new BusError(BusErrorCodes.connect, redactServerUrls(`cannot connect to NATS at ${where}: ${messageOf(cause)}`), { cause, retryable: true });
  }
  try {
    return { nc, jsm: await jetstreamManager(nc, { timeout: options.timeoutMs }) };
  } catch (cause) {
    await nc.close();
    throw new BusError(BusErrorCodes.connect, `no JetStream at ${where}: ${messageOf(cause)}`, { cause });
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
