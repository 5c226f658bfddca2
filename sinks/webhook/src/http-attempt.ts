import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { isRetryableStatus, maskSecrets, parseRetryAfter, DeliveryError } from '@herald/plugin-sdk';
import type { Dispatcher } from 'undici';

import { displayUrl } from './redact.ts';
import type { WebhookRequest } from './webhook-request.ts';

export interface AttemptOptions {
  dispatcher: Dispatcher;
  tracer: Tracer;
  /** Bound on the whole exchange: connect, send, response headers and body. */
  timeoutMs: number;
  /** The send's signal: aborting it ends the attempt at once. */
  signal: AbortSignal;
  /** Characters of a refused request's response body to keep. */
  excerptChars: number;
  /** 0 for a notification's first request, then the number of the retry (Herald's attempt − 1). */
  resend: number;
}

// Go's HTTP client follows up to 10 redirects; Argo's webhook service uses it as it is.
const MAX_REDIRECTS = 10;

/** How one request went. A failure says whether repeating the same request can help. */
export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; problem: string; status?: number; retryAfterMs?: number; cause?: unknown };

// Node's certificate verification failures: the remote's certificate or Herald's trust is wrong, which no
// retry fixes (Argo's HTTP client does not retry them either).
const certificateCodes = /CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
// Bad method or header value: the request can never be sent.
const invalidRequestCodes = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR']);

/** One HTTP request with a deadline and a client span. Throws only when `signal` aborted. */
export function attempt(request: WebhookRequest, options: AttemptOptions): Promise<AttemptOutcome> {
  const attributes = {
    'http.request.method': request.method,
    'url.full': request.display,
    'server.address': request.host,
    'server.port': request.port,
    ...(options.resend > 0 ? { 'http.request.resend_count': options.resend } : {}),
  };
  return options.tracer.startActiveSpan(`${request.method} ${request.host}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const outcome = await exchange(request, options, trace.setSpan(context.active(), span));
      if (outcome.ok || outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status!);
      if (!outcome.ok) {
        span.setAttribute('error.type', outcome.status === undefined ? errorType(outcome.cause) : String(outcome.status));
        span.setStatus({ code: SpanStatusCode.ERROR, message: maskSecrets(outcome.problem, request.secrets) });
      }
      return outcome;
    } catch (err) {
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted' });
      throw err;
    } finally {
      span.end();
    }
  });
}

async function exchange(request: WebhookRequest, options: AttemptOptions, spanContext: ReturnType<typeof context.active>): Promise<AttemptOutcome> {
  const { signal, timeoutMs } = options;
  const what = request.label;
  if (signal.aborted) throw DeliveryError.aborted(what, signal.reason);
  const headers = { ...request.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'traceparent')) propagation.inject(spanContext, headers);

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
  const both = AbortSignal.any([signal, deadline.signal]);
  try {
    let current = { origin: request.origin, path: request.path, method: request.method, body: request.body };
    for (let hop = 0; ; hop++) {
      const response = await options.dispatcher.request({ ...current, headers: hop === 0 ? headers : withoutBody(headers, current.body), signal: both, ...keepAlive(current) });
      const status = response.statusCode;
      if (status >= 200 && status <= 299) {
        // Accepted once the status is in; the body only has to go so the connection can be reused.
        await response.body.dump().catch(() => undefined);
        return { ok: true, status };
      }
      const next = redirectOf(status, response.headers.location, current);
      if (next) {
        await response.body.dump().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) return { ok: false, retryable: false, problem: `${what} stopped after ${MAX_REDIRECTS} redirects`, status };
        const to = next.url;
        if (to.protocol !== 'http:' && to.protocol !== 'https:') return { ok: false, retryable: false, problem: `${what} was redirected to a ${to.protocol} URL; not followed`, status };
        // Go's client keeps custom headers (X-Api-Key…) on a redirect to another origin, even https → http.
        if (to.origin !== request.origin && request.credentials) {
          return {
            ok: false,
            retryable: false,
            problem: `${what} was redirected to another origin (${maskSecrets(displayUrl(to), request.secrets)}); not followed, as the request carries the service's credentials (headers, basicAuth): set the service url to the new location`,
            status,
          };
        }
        current = { origin: to.origin, path: `${to.pathname}${to.search}`, method: next.method, body: next.body };
        continue;
      }
      const excerpt = await readExcerpt(response.body, options.excerptChars, request.secrets);
      const statusText = response.statusText ? ` ${response.statusText}` : '';
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return {
        ok: false,
        retryable: isRetryableStatus(status),
        problem: `${what} answered ${status}${statusText}${excerpt ? `: ${excerpt}` : ''}`,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
  } catch (err) {
    if (signal.aborted) throw DeliveryError.aborted(what, signal.reason);
    if (deadline.signal.aborted) return { ok: false, retryable: true, problem: `${what} timed out: no complete response within ${timeoutMs} ms`, cause: err };
    const code = errorCode(err);
    const detail = `${err instanceof Error ? err.message : String(err)}${code && !String(err).includes(code) ? ` (${code})` : ''}`;
    if (code && certificateCodes.test(code)) {
      const reason = (err instanceof Error ? err.message : String(err)).split(';')[0];
      return { ok: false, retryable: false, problem: `${what} failed: TLS certificate not trusted (${code}: ${reason}); trust its CA (NODE_EXTRA_CA_CERTS) or set insecureSkipVerify`, cause: err };
    }
    if (code && invalidRequestCodes.has(code)) return { ok: false, retryable: false, problem: `${what} cannot be sent: ${detail}`, cause: err };
    return { ok: false, retryable: true, problem: `${what} failed: ${detail}`, cause: err };
  } finally {
    clearTimeout(timer);
  }
}

interface Hop {
  origin: string;
  path: string;
  method: string;
  body: string | null;
}

/** Where a redirect answer sends the request next, as undici's redirect handling (and Go's) would; undefined if it is none. */
function redirectOf(status: number, location: string | string[] | undefined, from: Hop): { url: URL; method: string; body: string | null } | undefined {
  if (![301, 302, 303, 307, 308].includes(status) || typeof location !== 'string' || location === '') return undefined;
  let to: URL;
  try {
    to = new URL(location, `${from.origin}${from.path}`);
  } catch {
    return undefined;
  }
  // 303 turns any method but HEAD into GET, 301/302 a POST; 307/308 repeat the method and body.
  const toGet = (status === 303 && from.method !== 'HEAD') || ((status === 301 || status === 302) && from.method === 'POST');
  return { url: to, method: toGet ? 'GET' : from.method, body: toGet ? null : from.body };
}

/**
 * undici closes the connection after a request whose method carries no payload but that has a body (a GET with
 * one, as Argo's own seed template sends), in case the server did not read the body. Go's client, which Argo
 * uses, keeps it: the body is framed by its Content-Length, which an HTTP/1.1 server reads whatever the method.
 * Without this, every such notification opened and closed a TCP connection (a handshake on the latency path,
 * and ~7 % of Herald's CPU in a burst). HEAD keeps undici's reset (a server may answer it with a body).
 */
function keepAlive(hop: Hop): { reset?: false } {
  return hop.body !== null && hop.method !== 'HEAD' ? { reset: false } : {};
}

/** A request turned into a GET without body sends no headers describing the body it no longer has. */
function withoutBody(headers: Record<string, string>, body: string | null): Record<string, string> {
  if (body !== null) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-(type|length|encoding|language)$/i.test(name)));
}

/**
 * The start of a response body, whitespace collapsed, secrets masked before it is cut (a secret across the
 * cut would otherwise show its start). Reads at most a few bytes per wanted character, plus the longest secret.
 */
async function readExcerpt(body: AsyncIterable<Buffer> & { dump(): Promise<void> }, chars: number, secrets: readonly string[]): Promise<string> {
  if (chars === 0) {
    await body.dump().catch(() => undefined);
    return '';
  }
  const longest = secrets.reduce((max, s) => Math.max(max, Buffer.byteLength(encodeURIComponent(s))), 0);
  const limit = Math.min(64 * 1024 + longest, chars * 4 + 4 + longest);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // Whatever arrived before the body broke off is still worth showing.
  }
  const text = maskSecrets(new TextDecoder().decode(Buffer.concat(chunks)).replace(/\s+/g, ' ').trim(), secrets);
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function errorType(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.name : 'Error');
}
