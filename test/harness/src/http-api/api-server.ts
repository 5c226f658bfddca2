import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a fake API received it. */
export interface ApiRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
  /** The body parsed: JSON or form fields (as a plain object); `undefined` for another or no body. */
  params: Record<string, unknown> | undefined;
  /** The HTTP status answered; 0 while the request hangs. */
  status: number;
  /** The client's port: requests with the same one came over the same connection. */
  remotePort: number;
}

/** What a fake API's handler answers: a status with a JSON (or text) body and headers, or `hang`. */
export type ApiAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

/** A local HTTP server recording every request; each fake API (telegram, webex…) gives it its routes. */
export interface ApiServer {
  origin: string;
  requests: ApiRequest[];
  /** Resolves once `count` requests arrived in all (answered or not). */
  received(count: number): Promise<void>;
  /** Forgets the requests and cuts the hanging ones. */
  reset(): void;
  close(): Promise<void>;
}

function parse(contentType: string, body: string): Record<string, unknown> | undefined {
  if (contentType.startsWith('application/json')) {
    try {
      const value: unknown = JSON.parse(body);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  return undefined;
}

/** Starts a server on 127.0.0.1 that records each request and answers what `handle` says. */
export async function startApiServer(handle: (request: ApiRequest) => ApiAnswer): Promise<ApiServer> {
  const requests: ApiRequest[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const request: ApiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body, params: parse(headers['content-type'] ?? '', body), status: 0, remotePort: req.socket.remotePort ?? 0 };
      requests.push(request);
      for (const check of waiters) check();
      let answer: ApiAnswer;
      try {
        answer = handle(request);
      } catch (err) {
        answer = { status: 500, body: `fake API failed: ${String(err)}` };
      }
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      request.status = answer.status;
      const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
      const type = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
      res.writeHead(answer.status, { 'content-type': type, ...answer.headers }).end(text);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    received: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    reset() {
      requests.length = 0;
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
