import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request as the receiver saw it. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** Answers request number `index` (0-based); leave `res` unanswered to hang. */
export type Responder = (req: Received, res: ServerResponse, index: number) => void;

export interface Receiver {
  /** `http(s)://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: Received[];
  /** TCP connections accepted. */
  connections: number;
  respond(responder: Responder): void;
  close(): Promise<void>;
}

const ok: Responder = (_req, res) => res.end('ok');

/** A webhook receiver on 127.0.0.1 and a free port: records every request, answers 200 unless told otherwise. */
export async function startReceiver(tls?: { key: string; cert: string }): Promise<Receiver> {
  let responder = ok;
  const requests: Received[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(received);
      responder(received, res, requests.length - 1);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handle) : createHttpServer(handle);
  const receiver: Receiver = {
    origin: '',
    port: 0,
    requests,
    connections: 0,
    respond: (r) => (responder = r),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => receiver.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.origin = `${tls ? 'https' : 'http'}://127.0.0.1:${receiver.port}`;
  return receiver;
}

/** A self-signed certificate for 127.0.0.1, made by openssl in a temp dir that is removed again. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-webhook-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
