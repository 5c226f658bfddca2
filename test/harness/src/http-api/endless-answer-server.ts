import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server that answers every request with an error whose body never ends: a broken or hostile endpoint. */
export interface EndlessAnswerServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Body bytes written so far, over all requests. */
  bytesSent(): number;
  /** How many answers the client cut off (closed the connection) before the server stopped writing. */
  cutOff(): number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(16 * 1024, 'x');
// A safety stop for a client that never closes, far above anything a sink should read.
const MAX_BYTES = 512 * 1024 * 1024;

/**
 * Starts a server on 127.0.0.1 that reads each request and answers `status` with a body it writes for as
 * long as the client reads. A client that keeps only the start of an answer closes the connection after
 * a few chunks; one that reads everything reads until its own deadline or memory ends.
 */
export async function startEndlessAnswerServer(status = 500): Promise<EndlessAnswerServer> {
  let sent = 0;
  let cut = 0;
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      open.add(res);
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      let ended = false;
      res.on('close', () => {
        open.delete(res);
        if (!ended) cut++;
      });
      const pump = (): void => {
        while (!res.destroyed && sent < MAX_BYTES) {
          sent += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        if (!res.destroyed) {
          ended = true;
          res.end();
        }
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytesSent: () => sent,
    cutOff: () => cut,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
