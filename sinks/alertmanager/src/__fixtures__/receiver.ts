import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  /** `127.0.0.1:<port>`, as a service's `targets` lists it. */
  target: string;
  requests: ReceivedRequest[];
  /** How the next requests are answered (default: 200 `{}`, as Alertmanager does). */
  respond(handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

type Handler = (req: ReceivedRequest, res: ServerResponse) => void;

const accept: Handler = (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('');

/** A local HTTP server standing in for one Alertmanager target, recording what it received. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let handler: Handler = accept;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    requests.push(received);
    handler(received, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    respond: (h) => void (handler = h),
    reset() {
      requests.length = 0;
      handler = accept;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
