import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import type { Dispatcher } from 'undici';
import { abortedError } from './errors.ts';
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
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.problem });
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
  if (signal.aborted) throw abortedError(what, signal.reason);
  const headers = { ...request.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'traceparent')) propagation.inject(spanContext, headers);

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
  const both = AbortSignal.any([signal, deadline.signal]);
  try {
    const response = await options.dispatcher.request({ origin: request.origin, path: request.path, method: request.method, headers, body: request.body, signal: both });
    const status = response.statusCode;
    if (status >= 200 && status <= 299) {
      // Accepted once the status is in; the body only has to go so the connection can be reused.
      await response.body.dump().catch(() => undefined);
      return { ok: true, status };
    }
    const excerpt = await readExcerpt(response.body, options.excerptChars);
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    return {
      ok: false,
      retryable: isRetryableStatus(status),
      problem: `${what} answered ${status}${statusText}${excerpt ? `: ${excerpt}` : ''}`,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (err) {
    if (signal.aborted) throw abortedError(what, signal.reason);
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

/** The start of a response body, whitespace collapsed; reads at most a few bytes per wanted character. */
async function readExcerpt(body: AsyncIterable<Buffer> & { dump(): Promise<void> }, chars: number): Promise<string> {
  if (chars === 0) {
    await body.dump().catch(() => undefined);
    return '';
  }
  const limit = Math.min(64 * 1024, chars * 4 + 4);
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
  const text = new TextDecoder().decode(Buffer.concat(chunks)).replace(/\s+/g, ' ').trim();
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
