import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Random } from './random.ts';

/** How a request was answered: a status code, or `hang` (held open past the sink's timeout, then dropped). */
export type Answer = 200 | 500 | 429 | 'hang';

export interface RecordedRequest {
  /** Arrival order, from 0. */
  seq: number;
  at: number;
  idempotencyKey: string | undefined;
  body: string;
  answer: Answer;
}

/** Share of requests answered each way; the rest get 200. */
export interface FailurePolicy {
  error500: number;
  tooMany429: number;
  hang: number;
}

export const noFailures: FailurePolicy = { error500: 0, tooMany429: 0, hang: 0 };

export interface FaultReceiver {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Takes effect for the next request. */
  setPolicy(policy: FailurePolicy): void;
  close(): Promise<void>;
}

/**
 * A webhook endpoint that records every request with its `Idempotency-Key` and answers a share of them with
 * 500, with 429 + `Retry-After: 1`, or not at all for `hangMs` (past the sink's request timeout).
 */
export async function startFaultReceiver(random: Random, hangMs = 3_000): Promise<FaultReceiver> {
  const requests: RecordedRequest[] = [];
  let policy = noFailures;
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const pick = (): Answer => {
    const x = random.next();
    if (x < policy.error500) return 500;
    if (x < policy.error500 + policy.tooMany429) return 429;
    if (x < policy.error500 + policy.tooMany429 + policy.hang) return 'hang';
    return 200;
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const answer = pick();
      const key = req.headers['idempotency-key'];
      requests.push({ seq: requests.length, at: Date.now(), idempotencyKey: Array.isArray(key) ? key[0] : key, body, answer });
      if (answer === 'hang') {
        // The request reached us; the sender times out and tries again with the same key.
        hanging.add(res);
        setTimeout(() => {
          hanging.delete(res);
          res.socket?.destroy();
        }, hangMs).unref();
      } else if (answer === 429) {
        res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'text/plain' }).end('slow down');
      } else {
        res.writeHead(answer, { 'Content-Type': 'text/plain' }).end(answer === 200 ? 'ok' : 'try again');
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setPolicy: (p) => (policy = p),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        hanging.clear();
        server.close(() => resolve());
      }),
  };
}
