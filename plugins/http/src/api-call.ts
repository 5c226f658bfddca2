import { DeliveryError, maskErrorSecrets, maskSecrets } from '@herald/plugin-sdk';
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

export interface CallOptions {
  /** Starts every error message; names the call, never its URL. */
  what: string;
  /** Bound on the whole exchange, the answer's body included. */
  timeoutMs: number;
  /** The send's signal (and the sink's stop). */
  signal: AbortSignal;
  /**
   * The credentials the call carries (a key, a token): masked in the answer's body and in any error, before a
   * sink cuts either to an excerpt (a secret cut in two is no longer found whole).
   */
  secrets?: readonly string[];
}

/**
 * Makes one request (no redirects followed, no retries) on `dispatcher`, bounded by `timeoutMs` and `signal`.
 * Resolves with any HTTP answer, for the sink to judge. Throws a DeliveryError when there was none, saying
 * `what` failed and never the URL: retryable when unreachable, timed out or aborted (the abort reason is the
 * cause); permanent when the remote's TLS certificate is not trusted, which no retry fixes.
 */
export async function callApi(dispatcher: Dispatcher, call: ApiCall, options: CallOptions): Promise<ApiAnswer> {
  try {
    const answer = await request(dispatcher, call, options);
    return { ...answer, body: maskSecrets(answer.body, options.secrets) };
  } catch (err) {
    throw maskErrorSecrets(err, options.secrets);
  }
}

async function request(dispatcher: Dispatcher, call: ApiCall, options: CallOptions): Promise<ApiAnswer> {
  const { what, timeoutMs, signal } = options;
  if (signal.aborted) throw DeliveryError.aborted(what, signal.reason);
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
    return { status: response.statusCode, headers: response.headers, body: await boundedText(response.body) };
  } catch (err) {
    if (signal.aborted) throw DeliveryError.aborted(what, signal.reason);
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
 * An answer's body as text, at most `maxBytes` of it: reading stops there and the stream is closed, so a
 * server that answers without end (a hostile or broken endpoint) costs 64 KiB, never the process's memory.
 */
export async function boundedText(body: AsyncIterable<Buffer>, maxBytes = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** An answer's text for an error message: white space folded, cut to `chars` with an ellipsis. */
export function excerpt(text: string, chars: number): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > chars ? `${folded.slice(0, chars)}…` : folded;
}

// undici wraps the socket's error: its code may sit a few causes down.
function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
