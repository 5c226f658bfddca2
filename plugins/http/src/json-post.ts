import { DeliveryError, maskSecrets } from '@herald/plugin-sdk';
import type { Dispatcher } from 'undici';

/** An HTTP answer, its body read as text (secrets masked, whitespace collapsed). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface PostOptions {
  dispatcher: Dispatcher;
  url: URL;
  headers: Record<string, string>;
  body: string;
  /** Bound on the whole exchange. */
  timeoutMs: number;
  /** The send's signal (and the sink's stop). */
  signal: AbortSignal;
  /** Starts each error message, e.g. `opsgenie "ops": POST https://…`. */
  what: string;
  secrets: readonly string[];
}

/**
 * One POST with a deadline. Resolves with any answer the server gave; throws a retryable DeliveryError when
 * none came (timeout, connection refused, reset) or the send was aborted.
 */
export async function postJson(options: PostOptions): Promise<Answer> {
  const { what, signal, timeoutMs, secrets } = options;
  if (signal.aborted) throw aborted(what, signal.reason);
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const response = await options.dispatcher.request({
      origin: options.url.origin,
      path: `${options.url.pathname}${options.url.search}`,
      method: 'POST',
      headers: options.headers,
      body: options.body,
      signal: AbortSignal.any([signal, deadline]),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text: maskSecrets(text.replace(/\s+/g, ' ').trim(), secrets) };
  } catch (err) {
    if (signal.aborted) throw aborted(what, signal.reason);
    if (deadline.aborted) throw DeliveryError.transient(`${what}: no answer within ${timeoutMs} ms`, { cause: err });
    throw DeliveryError.transient(`${what} failed: ${maskSecrets(err instanceof Error ? err.message : String(err), secrets)}`);
  }
}

/**
 * The send's signal aborted (delivery deadline, shutdown) or the sink stopped: the request may have arrived,
 * so it is retryable, and the abort reason is the cause, for the kernel to tell a shutdown apart.
 */
function aborted(what: string, reason: unknown): DeliveryError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return DeliveryError.transient(`${what} aborted: ${why}`, { cause: reason });
}
