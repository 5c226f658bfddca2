import { DeliveryError } from '@herald/plugin-sdk';
import type { Dispatcher } from 'undici';

/** One API request. `url` may carry a token (Telegram puts it in the path): it never goes into a message. */
export interface ApiCall {
  url: string | URL;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** The API's answer: status, headers and up to 64 KiB of body text. */
export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// Enough for any answer worth showing; a larger body is cut, never buffered whole.
const MAX_BODY = 64 * 1024;

/**
 * Makes one request (no redirects followed, no retries) on `dispatcher`, bounded by `timeoutMs` and `signal`.
 * Resolves with any HTTP answer, for the sink to judge. Throws a DeliveryError when there was none, saying
 * `what` failed and never the URL: retryable when unreachable, timed out or aborted (the abort reason is the
 * cause); permanent when the remote's TLS certificate is not trusted, which no retry fixes.
 */
export async function callApi(dispatcher: Dispatcher, call: ApiCall, options: { what: string; timeoutMs: number; signal: AbortSignal }): Promise<ApiAnswer> {
  const { what, timeoutMs, signal } = options;
  if (signal.aborted) throw aborted(what, signal.reason);
  const deadline = AbortSignal.timeout(timeoutMs);
  const url = typeof call.url === 'string' ? new URL(call.url) : call.url;
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.any([signal, deadline]),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_BODY) break;
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) };
  } catch (err) {
    if (signal.aborted) throw aborted(what, signal.reason);
    if (deadline.aborted) throw DeliveryError.transient(`${what}: no answer within ${timeoutMs} ms`, { cause: err });
    const code = errorCode(err);
    const detail = `${err instanceof Error ? err.message : String(err)}${code && !String(err).includes(code) ? ` (${code})` : ''}`;
    if (code && /CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
      throw DeliveryError.permanent(`${what}: TLS certificate not trusted (${detail}); trust its CA (NODE_EXTRA_CA_CERTS) or set insecureSkipVerify`, err);
    }
    throw DeliveryError.transient(`${what}: request failed: ${detail}`, { cause: err });
  }
}

/**
 * The send's signal aborted (delivery deadline, shutdown): the message may have been posted, so it is
 * retryable, and the abort reason is the cause, for the kernel to tell a shutdown apart.
 */
export function aborted(what: string, reason: unknown): DeliveryError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return DeliveryError.transient(`${what} aborted: ${why}`, { cause: reason });
}

// undici wraps the socket's error: its code may sit a few causes down.
function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
