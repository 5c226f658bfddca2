import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '@herald/test-harness';
import { connectNats } from './stale-link-transport.ts';

/**
 * A TCP relay in front of nats-server whose open connections can be made to vanish as a partitioned host
 * does: nothing is read or written any more, and no FIN or RST is sent. New connections pass as before
 * (the other members of a cluster, still reachable).
 */
async function vanishingRelay(target: URL): Promise<{ url: string; vanish(): void; close(): Promise<void> }> {
  const pairs: [Socket, Socket][] = [];
  const vanished: [Socket, Socket][] = [];
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port), target.hostname);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    vanish() {
      for (const [client, upstream] of pairs.splice(0)) {
        vanished.push([client, upstream]);
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async close() {
      for (const [client, upstream] of [...pairs.splice(0), ...vanished.splice(0)]) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a connection whose server vanished with a full send buffer', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('is closed on missed pings and reconnects, though what it had queued can never be written', async () => {
    const relay = await vanishingRelay(new URL(nats.url));
    let nc: NatsConnection | undefined;
    try {
      nc = await connectNats({ servers: [relay.url], name: 'vanishing', pingInterval: 300, maxPingOut: 2, reconnectTimeWait: 100, maxReconnectAttempts: -1 }, 500);
      const statuses: string[] = [];
      const reconnected = (async () => {
        for await (const s of nc.status()) {
          statuses.push(s.type);
          if (s.type === 'reconnect') return;
        }
      })();
      relay.vanish();
      // Far more than the kernel's send and receive buffers hold: the rest waits in the socket, with the
      // pings and the closing frame behind it (a source that had just published a batch).
      const chunk = new Uint8Array(64 * 1024);
      for (let i = 0; i < 1024; i++) nc.publish('herald.test.flood', chunk);
      await reconnected;
      expect(statuses).toEqual(expect.arrayContaining(['staleConnection', 'disconnect', 'reconnect']));

      // The new connection carries traffic both ways.
      const sub = nc.subscribe('herald.test.echo', { callback: (_err, m) => void m.respond(m.data) });
      const answer = await nc.request('herald.test.echo', new TextEncoder().encode('after the partition'), { timeout: 5_000 });
      expect(answer.string()).toBe('after the partition');
      sub.unsubscribe();
    } finally {
      await nc?.close();
      await relay.close();
    }
  });
});
