import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a local API server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  /** The body as text. */
  body: string;
  /** What the server answered: the HTTP status; 0 while it hangs. */
  status: number;
}

/** What a handler answers: status, headers and body, or `hang` (read the request, never answer). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface RecordingServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  requests: RecordedRequest[];
  /** Drops the recorded requests and releases hanging ones. */
  clear(): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server that records every request and answers with `handle`: the common part of the chat
 * APIs' fakes (Teams, Google Chat, Discord…), each of which says what its API answers.
 */
export async function startRecordingServer(handle: (request: RecordedRequest) => Answer): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
      requests.push(request);
      let answer: Answer;
      try {
        answer = handle(request);
      } catch (err) {
        answer = { status: 500, body: String(err) };
      }
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      request.status = answer.status;
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
  };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    clear() {
      requests.length = 0;
      release();
    },
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
