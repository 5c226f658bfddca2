import { untilAborted } from '@herald/plugin-sdk';
import { errors as natsErrors, nkeyAuthenticator, nkeys, usernamePasswordAuthenticator, type Authenticator, type NatsConnection } from '@nats-io/nats-core';
import { connectNats } from '@herald/plugin-nats';
import type { NatsServiceConfig } from './nats.config.ts';

/** A publish waiting for the server's answer; `denied` is set when the server refused it. */
interface Waiter {
  denied?: string;
}

/** One service's connection, and the publishes on it waiting for the server's answer, by subject. */
export class ServiceConnection {
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly nc: NatsConnection;

  constructor(nc: NatsConnection) {
    this.nc = nc;
    // The server answers a publish it refuses with `-ERR 'Permissions Violation for Publish to "<subject>"'`,
    // which the client hands only to status listeners; it comes before the PONG of the flush that follows.
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type !== 'error' || !(status.error instanceof natsErrors.PermissionViolationError) || status.error.operation !== 'publish') continue;
        for (const waiter of this.#waiters.get(status.error.subject) ?? []) waiter.denied = status.error.message;
      }
    })().catch(() => undefined);
  }

  /**
   * Publishes and waits for the server to have taken it: a flush (PING/PONG) after the publish, then
   * one turn of the event loop, so a permissions violation the server sent before the PONG is seen.
   * Resolves with the server's refusal text, or undefined when it took the message.
   */
  async publish(subject: string, data: string, options: Parameters<NatsConnection['publish']>[2], bound: AbortSignal): Promise<string | undefined> {
    const waiter: Waiter = {};
    const waiters = this.#waiters.get(subject) ?? new Set();
    this.#waiters.set(subject, waiters.add(waiter));
    try {
      this.nc.publish(subject, data, options);
      await untilAborted(this.nc.flush(), bound);
      await new Promise((resolve) => setImmediate(resolve));
      return waiter.denied;
    } finally {
      waiters.delete(waiter);
      if (waiters.size === 0) this.#waiters.delete(subject);
    }
  }
}

interface Entry {
  /** The options the connection was made with, to notice a changed service. */
  key: string;
  connection: Promise<ServiceConnection>;
}

/**
 * One connection per configured service, opened by its first send and kept for the next ones (Argo opens
 * and closes one per notification). A connection that closes (the server went away) is dropped, and the
 * next send dials again; a service whose options changed gets a new one, and the old one is drained.
 */
export class ConnectionPool {
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  /** The open connection of `service`, dialled now if it has none. Rejects as the client does. */
  get(service: string, options: NatsServiceConfig, timeoutMs: number): Promise<ServiceConnection> {
    if (this.#closed) return Promise.reject(new natsErrors.ClosedConnectionError());
    const key = JSON.stringify(options);
    const existing = this.#entries.get(service);
    if (existing?.key === key) return existing.connection;
    if (existing) void existing.connection.then((c) => c.nc.drain()).catch(() => undefined);

    const connection = dial(options, timeoutMs).then((nc) => {
      if (this.#closed) {
        void nc.close();
        throw new natsErrors.ClosedConnectionError();
      }
      void nc.closed().then(() => {
        if (this.#entries.get(service)?.connection === connection) this.#entries.delete(service);
      });
      return new ServiceConnection(nc);
    });
    const entry = { key, connection };
    this.#entries.set(service, entry);
    // A dial that failed is not kept: the next send dials again.
    connection.catch(() => {
      if (this.#entries.get(service) === entry) this.#entries.delete(service);
    });
    return connection;
  }

  /** Closes every connection; later `get`s reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((e) => e.connection.then((c) => c.nc.close()).catch(() => undefined)));
  }
}

/** The authenticators Argo's options ask for: the nkey, and user/password when both are set. */
export function authenticators(options: NatsServiceConfig): Authenticator[] {
  const out: Authenticator[] = [];
  if (options.nkey) {
    const seed = new TextEncoder().encode(options.nkey);
    try {
      nkeys.fromSeed(seed);
    } catch {
      // The client's own error would not help, and the seed must not be in the message.
      throw new natsErrors.InvalidArgumentError('the nkey option is not an NKey seed (SU…)');
    }
    out.push(nkeyAuthenticator(seed));
  }
  if (options.username && options.password) out.push(usernamePasswordAuthenticator(options.username, options.password));
  return out;
}

async function dial(options: NatsServiceConfig, timeoutMs: number): Promise<NatsConnection> {
  return await connectNats({
    servers: options.url.split(',').map((u) => u.trim()),
    authenticator: authenticators(options),
    name: 'herald',
    timeout: timeoutMs,
    // A connection that drops is closed, not re-dialled in the background: the next send dials, within its
    // own deadline, and a publish never waits in the client's buffer for a server that may not come back.
    reconnect: false,
  });
}

