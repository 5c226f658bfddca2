import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface KeyedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** False when a request with the same Idempotency-Key was accepted before: the receiver dropped it. */
  accepted: boolean;
}

export interface IdempotentReceiver {
  readonly url: string;
  /** Every request that arrived, accepted or dropped. */
  readonly requests: KeyedRequest[];
  /** What a user of the endpoint sees: one entry per Idempotency-Key. */
  accepted(): KeyedRequest[];
  /** The next request matching `match` gets no answer until the returned release() (its sender may be dead by then). */
  holdNext(match: (r: KeyedRequest) => boolean): { arrived: Promise<KeyedRequest>; release(): void };
  waitFor(count: number, match?: (r: KeyedRequest) => boolean, timeoutMs?: number): Promise<KeyedRequest[]>;
  close(): Promise<void>;
}

/**
 * An HTTP endpoint that deduplicates by the Idempotency-Key header, as payment and paging APIs do. Paths
 * under `/gone` answer 410 Gone (a permanent failure).
 */
export async function startIdempotentReceiver(): Promise<IdempotentReceiver> {
  const requests: KeyedRequest[] = [];
  const holds: { match: (r: KeyedRequest) => boolean; arrived: (r: KeyedRequest) => void; released: Promise<void> }[] = [];
  const answer = (res: ServerResponse, status = 200) => {
    if (!res.destroyed) res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'gone');
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const gone = req.url?.startsWith('/gone') ?? false;
      const key = req.headers['idempotency-key'];
      const accepted = !gone && (!key || !requests.some((r) => r.accepted && r.headers['idempotency-key'] === key));
      const request = { path: req.url ?? '', headers: req.headers, body, accepted };
      requests.push(request);
      if (gone) return answer(res, 410);
      const hold = holds.findIndex((h) => h.match(request));
      if (hold < 0) return answer(res);
      const [h] = holds.splice(hold, 1);
      h!.arrived(request);
      void h!.released.then(() => answer(res));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    accepted: () => requests.filter((r) => r.accepted),
    holdNext(match) {
      let arrived!: (r: KeyedRequest) => void;
      let release!: () => void;
      const arrivedPromise = new Promise<KeyedRequest>((resolve) => (arrived = resolve));
      holds.push({ match, arrived, released: new Promise<void>((resolve) => (release = resolve)) });
      return { arrived: arrivedPromise, release };
    },
    async waitFor(count, match = () => true, timeoutMs = 60_000) {
      for (const deadline = Date.now() + timeoutMs; ; await delay(50)) {
        const found = requests.filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} request(s), got ${found.length}: ${JSON.stringify(requests.map((r) => `${r.path} ${r.body}`))}`);
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
