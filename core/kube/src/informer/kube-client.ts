import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { KubeCredentials } from '../kube-credentials.ts';
import { KubeApiError, type KubeStatus } from './kube-api-error.ts';

export type Query = Record<string, string | number | boolean | undefined>;

/** The requests an informer, a leader elector and a patcher make. All reject with KubeApiError when the server refuses. */
export interface KubeClient {
  /** The API server's URL, for messages. */
  readonly server: string;
  /** GET, the whole JSON body. */
  get<T>(path: string, query: Query, signal: AbortSignal): Promise<T>;
  /**
   * GET of a stream of JSON values, one per line (a watch). Lines are read only as fast as the caller
   * consumes them, so a slow consumer holds the connection back instead of buffering.
   */
  stream(path: string, query: Query, signal: AbortSignal): AsyncIterable<unknown>;
  /**
   * PATCH with a body of the given patch type, e.g. `application/merge-patch+json`; resolves to the
   * patched object.
   */
  patch<T>(path: string, body: unknown, contentType: PatchContentType, signal: AbortSignal): Promise<T>;
  /** POST of a new object to its collection's path; resolves to the object created (409 when the name is taken). */
  create<T>(path: string, body: unknown, signal: AbortSignal): Promise<T>;
  /**
   * PUT of a whole object to its path; resolves to the object stored. With `metadata.resourceVersion` in the
   * body the server refuses (409 Conflict) when the object changed since that version.
   */
  replace<T>(path: string, body: unknown, signal: AbortSignal): Promise<T>;
}

export type PatchContentType = 'application/merge-patch+json' | 'application/json-patch+json' | 'application/strategic-merge-patch+json';

export interface KubeClientOptions {
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Deadline of a `get`; a watch has its own (its timeoutSeconds). Default 60 s. */
  requestTimeoutMs?: number;
  /** A watch line longer than this is an error rather than unbounded memory. Default 64 MiB. */
  maxLineBytes?: number;
}

// Error bodies are short Status objects; anything longer is not worth reading whole.
const maxErrorBody = 64 * 1024;

// A connection the server may have closed meanwhile is not reused after this long idle (Go's servers keep
// idle connections 90 s or more).
const idleSocketMs = 30_000;

/**
 * A small HTTP client over a loaded kubeconfig: its TLS settings, proxy, token, client certificate or exec
 * credentials apply to every request (re-applied each time, so rotated tokens are picked up). Requests share
 * keep-alive connections: one TLS handshake per connection, not per request, for the client and the server.
 */
export function createKubeClient(kc: KubeCredentials, options: KubeClientOptions = {}): KubeClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`the kubeconfig has no cluster for context "${kc.getCurrentContext()}"`);
  const server = cluster.server.replace(/\/+$/, '');
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024 * 1024;
  const agents = keepAliveAgents();
  const proxied = Boolean(cluster.proxyUrl);

  async function open(path: string, query: Query, signal: AbortSignal, send?: { method: string; contentType: string; body: string }): Promise<IncomingMessage> {
    const url = new URL(server + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { Accept: 'application/json', ...(options.userAgent ? { 'User-Agent': options.userAgent } : {}) };
    if (send) Object.assign(headers, { 'Content-Type': send.contentType, 'Content-Length': String(Buffer.byteLength(send.body)) });
    const request: https.RequestOptions = { headers };
    await kc.applyToHTTPSOptions(request);
    signal.throwIfAborted();
    // client-node's agent (one per cluster and user) does not keep connections alive; a proxy's agent is kept as is.
    if (!proxied) request.agent = agents.for(url.protocol, request);
    const transport = url.protocol === 'http:' ? http : https;
    const attempt = (): Promise<IncomingMessage> =>
      new Promise((resolve, reject) => {
        const req = transport.request(url, { ...request, method: send?.method ?? 'GET', signal }, resolve);
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as it was reused: the request never reached it.
          if (req.reusedSocket && err.code === 'ECONNRESET' && !signal.aborted) resolve(attempt());
          else reject(err);
        });
        // A watch can sit idle for minutes: keepalive probes notice a peer that vanished without closing. Set once
        // per connection: a kept-alive one has them already, and each setting is a system call.
        req.on('socket', (socket: Socket) => {
          if (!req.reusedSocket) socket.setKeepAlive(true, 30_000);
        });
        req.end(send?.body);
      });
    return attempt();
  }

  async function readJson<T>(res: IncomingMessage): Promise<T> {
    if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) throw await failure(res);
    res.setEncoding('utf8');
    let body = '';
    for await (const chunk of res) body += chunk as string;
    return JSON.parse(body) as T;
  }

  async function write<T>(method: string, path: string, body: unknown, contentType: string, signal: AbortSignal): Promise<T> {
    const send = { method, contentType, body: JSON.stringify(body) };
    return withTimeout(signal, requestTimeoutMs, async (bounded) => readJson<T>(await open(path, {}, bounded, send)));
  }

  async function failure(res: IncomingMessage): Promise<KubeApiError> {
    let body = '';
    try {
      for await (const chunk of res) {
        body += String(chunk);
        if (body.length > maxErrorBody) break;
      }
    } catch {
      // The status line says enough.
    }
    let status: KubeStatus = {};
    try {
      status = JSON.parse(body) as KubeStatus;
    } catch {
      status = { message: `HTTP ${res.statusCode}${body.trim() ? `: ${body.trim().slice(0, 200)}` : ''}` };
    }
    const retryAfter = res.headers['retry-after'];
    return KubeApiError.fromStatus(status, res.statusCode, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  }

  return {
    server,
    async get<T>(path: string, query: Query, signal: AbortSignal): Promise<T> {
      return withTimeout(signal, requestTimeoutMs, async (bounded) => readJson<T>(await open(path, query, bounded)));
    },
    async patch<T>(path: string, body: unknown, contentType: PatchContentType, signal: AbortSignal): Promise<T> {
      return write<T>('PATCH', path, body, contentType, signal);
    },
    async create<T>(path: string, body: unknown, signal: AbortSignal): Promise<T> {
      return write<T>('POST', path, body, 'application/json', signal);
    },
    async replace<T>(path: string, body: unknown, signal: AbortSignal): Promise<T> {
      return write<T>('PUT', path, body, 'application/json', signal);
    },
    async *stream(path: string, query: Query, signal: AbortSignal): AsyncIterable<unknown> {
      const res = await open(path, query, signal);
      if (res.statusCode !== 200) throw await failure(res);
      res.setEncoding('utf8');
      let buffer = '';
      try {
        for await (const chunk of res) {
          let searchFrom = buffer.length;
          buffer += chunk as string;
          for (let newline = buffer.indexOf('\n', searchFrom); newline !== -1; newline = buffer.indexOf('\n', searchFrom)) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            searchFrom = 0;
            if (line) yield JSON.parse(line);
          }
          if (buffer.length > maxLineBytes) throw new Error(`a watch event on ${path} is longer than ${maxLineBytes} bytes`);
        }
      } finally {
        // The caller stopped early (or failed): let go of the connection.
        res.destroy();
      }
      if (buffer.trim()) yield JSON.parse(buffer);
    },
  };
}

/**
 * Runs `call` with a signal that aborts when `signal` does (with its reason) or after `ms` (a TimeoutError), as
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])` would, but the timer is cleared once the call settles:
 * AbortSignal.timeout's fires `ms` later whatever happened, building its error and running the abort listeners,
 * once for every request made (10,000 after a start with 10,000 objects, each held until then).
 */
async function withTimeout<T>(signal: AbortSignal, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  try {
    return await call(controller.signal);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

/** The TLS settings an agent's connections are made with, as client-node sets them on a request. */
const tlsKeys = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * One keep-alive agent per protocol, made again only when the kubeconfig's TLS settings change (a rotated
 * client certificate): connections made with the old ones finish their requests and close when idle.
 */
function keepAliveAgents() {
  let httpAgent: http.Agent | undefined;
  let httpsAgent: { agent: https.Agent; tls: readonly unknown[] } | undefined;
  return {
    for(protocol: string, request: https.RequestOptions): http.Agent {
      if (protocol === 'http:') return (httpAgent ??= new http.Agent({ keepAlive: true, timeout: idleSocketMs }));
      const tls = tlsKeys.map((key) => request[key]);
      if (!httpsAgent || !tls.every((value, i) => same(value, httpsAgent!.tls[i]))) {
        const settings = Object.fromEntries(tlsKeys.filter((key) => request[key] !== undefined).map((key) => [key, request[key]]));
        httpsAgent = { agent: new https.Agent({ ...settings, keepAlive: true, timeout: idleSocketMs }), tls };
      }
      return httpsAgent.agent;
    },
  };
}

function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
