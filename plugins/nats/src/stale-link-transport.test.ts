import type { Transport } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { StaleLinkTransport } from './stale-link-transport.ts';

/** What reaches the socket: each write as text, and whether the transport was closed, disconnected or discarded. */
function recordingTransport() {
  const log: string[] = [];
  const inner = {
    send: (frame: Uint8Array) => log.push(`write ${new TextDecoder().decode(frame)}`),
    close: async () => void log.push('close'),
    disconnect: () => log.push('disconnect'),
    discard: () => log.push('discard'),
    closed: () => new Promise<void>(() => undefined),
    isClosed: false,
  } as unknown as Transport;
  return { log, transport: new StaleLinkTransport(inner) };
}

const frame = (text: string) => new TextEncoder().encode(text);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('frames sent to the server', () => {
  it('go out as one write per turn of the event loop, in the order sent', async () => {
    const { log, transport } = recordingTransport();
    transport.send(frame('PUB a 1\r\nx\r\n'));
    await Promise.resolve();
    transport.send(frame('+ACK\r\n'));
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual(['write PUB a 1\r\nx\r\n+ACK\r\n']);
    transport.send(frame('PING\r\n'));
    await nextTurn();
    expect(log).toEqual(['write PUB a 1\r\nx\r\n+ACK\r\n', 'write PING\r\n']);
  });

  it('are written before the connection closes or disconnects, and dropped when it is discarded', async () => {
    const closing = recordingTransport();
    closing.transport.send(frame('UNSUB 1\r\n'));
    await closing.transport.close();
    expect(closing.log).toEqual(['write UNSUB 1\r\n', 'close']);

    const dropping = recordingTransport();
    dropping.transport.send(frame('PING\r\n'));
    dropping.transport.disconnect();
    dropping.transport.send(frame('PONG\r\n'));
    dropping.transport.discard();
    await nextTurn();
    expect(dropping.log).toEqual(['write PING\r\n', 'disconnect', 'discard']);
  });
});
