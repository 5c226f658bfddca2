import type { NatsConnection, NodeConnectionOptions, Server, Transport } from '@nats-io/transport-node';
import { NatsConnectionImpl, setTransportFactory } from '@nats-io/transport-node';
// The Node transport class is not re-exported by the package's index: the deep path is its only way in.
// If it moves in an upgrade, this import fails at load and every bus test says so.
import { NodeTransport, nodeResolveHost } from '@nats-io/transport-node/lib/node_transport.js';

/** How long a closing connection may try to flush before its socket is destroyed. */
export const CLOSE_FLUSH_GRACE_MS = 2_000;

/**
 * nats.js's Node transport, except that a connection it gives up on (missed pings) always closes.
 *
 * On missed pings nats.js closes the transport, and the Node transport first writes an empty frame and waits
 * until it reaches the kernel. Toward a peer that vanished without a FIN (a cluster member cut off by a
 * partition) with more queued than the socket's send buffer holds — a source that had just published a batch —
 * that write never completes: the connection neither closes nor reconnects until TCP gives up (about 15
 * minutes), and every publish on it waits. Seen in the cluster fault suite's partition. Here the socket is
 * destroyed after a grace, which ends the pending write, so the close completes and nats.js reconnects to
 * another server; what the destroyed socket held is lost as it would be in any disconnect (JetStream
 * publishes are retried with their message id, core NATS is at most once).
 *
 * And frames sent during one turn of the event loop go to the socket as one write. nats.js writes what it
 * queued within one task (a microtask flush), so every task that publishes, acknowledges or pulls costs a
 * socket write of its own: under load, several per notification, each a system call here and a read on the
 * server (a burst profile: socket writes ~12 % of Herald's CPU). Written at the end of the turn (setImmediate,
 * after the I/O callbacks of this turn), in the order sent.
 */
export class StaleLinkTransport implements Transport {
  readonly #inner: Transport;
  readonly #graceMs: number;
  /** Frames sent this turn, not written yet. */
  #pending: Uint8Array[] = [];

  constructor(inner: Transport, graceMs = CLOSE_FLUSH_GRACE_MS) {
    this.#inner = inner;
    this.#graceMs = graceMs;
  }

  get isClosed(): boolean {
    return this.#inner.isClosed;
  }
  get lang(): string {
    return this.#inner.lang;
  }
  get version(): string {
    return this.#inner.version;
  }
  get closeError(): Error | undefined {
    return this.#inner.closeError;
  }
  connect(server: Server, opts: NodeConnectionOptions): Promise<void> {
    return this.#inner.connect(server, opts);
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this.#inner[Symbol.asyncIterator]();
  }
  isEncrypted(): boolean {
    return this.#inner.isEncrypted();
  }
  send(frame: Uint8Array): void {
    this.#pending.push(frame);
    if (this.#pending.length === 1) setImmediate(this.#write);
  }
  /** Writes what was sent this turn, at once. */
  readonly #write = (): void => {
    const frames = this.#pending;
    if (frames.length === 0) return;
    this.#pending = [];
    this.#inner.send(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  };
  close(err?: Error): Promise<void> {
    // What was sent before the close goes first (nats.js flushes before it closes a connection it drains).
    this.#write();
    return this.#inner.close(err);
  }
  disconnect(): void {
    this.#write();
    this.#inner.disconnect();
    const deadline = setTimeout(() => {
      if (!this.#inner.isClosed) this.#inner.discard();
    }, this.#graceMs);
    deadline.unref();
    void this.#inner.closed().finally(() => clearTimeout(deadline));
  }
  closed(): Promise<void | Error> {
    return this.#inner.closed();
  }
  discard(): void {
    this.#pending = [];
    this.#inner.discard();
  }
}

/**
 * Connects as `connect` from `@nats-io/transport-node` does, with every (re)connection of this client on a
 * {@link StaleLinkTransport}. nats.js keeps the transport factory in one module-wide slot, read at each
 * dial: it is set here before every connect, and the factory is the same for every Herald connection.
 */
export function connectNats(options: NodeConnectionOptions, graceMs = CLOSE_FLUSH_GRACE_MS): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new StaleLinkTransport(new NodeTransport(), graceMs), dnsResolveFn: nodeResolveHost });
  return NatsConnectionImpl.connect(options);
}

