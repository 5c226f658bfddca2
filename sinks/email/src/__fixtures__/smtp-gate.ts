import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP relay in front of Mailpit that can hold every connection: while held, nothing travels either way
 * (a server that accepted the connection and went silent), which Mailpit itself cannot be made to do.
 */
export interface SmtpGate {
  port: number;
  /** From now on, connections (open and new) get no answer. */
  hold(): void;
  /** Cuts the held connections and relays again. */
  release(): void;
  close(): Promise<void>;
}

export async function startSmtpGate(upstreamPort: number): Promise<SmtpGate> {
  let held = false;
  const pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    const pair = { client, upstream, frozen: held };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => void (pair.frozen || upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (pair.frozen || client.write(chunk)));
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hold() {
      held = true;
      for (const pair of pairs) pair.frozen = true;
    },
    release() {
      held = false;
      for (const pair of [...pairs]) if (pair.frozen) pair.client.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) pair.client.destroy();
        server.close(() => resolve());
      }),
  };
}
