import { DeliveryError } from '@herald/plugin-sdk';
import { Agent, type Dispatcher } from 'undici';

/** One API request. `url` may carry a token (Telegram puts it in the path): it never goes into a message. */
export interface ApiCall {
  url: string;
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

const MAX_BODY = 64 * 1024;

/**
 * Makes one request on the sink's connection pool, bounded by `timeoutMs` and `signal`. Resolves with any
 * HTTP answer; throws a retryable DeliveryError when there was none (unreachable, timed out, aborted),
 * saying `what` failed and never the URL.
 */
export async function callApi(dispatcher: Dispatcher, call: ApiCall, options: { what: string; timeoutMs: number; signal: AbortSignal }): Promise<ApiAnswer> {
  const { what, timeoutMs, signal } = options;
  if (signal.aborted) throw aborted(what, signal.reason);
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const response = await dispatcher.request({ ...splitUrl(call.url), method: call.method, headers: call.headers, body: call.body, signal: AbortSignal.any([signal, deadline]) });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (size < MAX_BODY) chunks.push(chunk);
      size += chunk.length;
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) };
  } catch (err) {
    if (signal.aborted) throw aborted(what, signal.reason);
    if (deadline.aborted) throw DeliveryError.transient(`${what}: no answer within ${timeoutMs} ms`, { cause: err });
    const code = (err as { code?: unknown }).code;
    const detail = err instanceof Error ? err.message : String(err);
    throw DeliveryError.transient(`${what}: request failed: ${detail}${typeof code === 'string' && !detail.includes(code) ? ` (${code})` : ''}`, { cause: err });
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

function splitUrl(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** One undici Agent per TLS setting, made on first use; `close` destroys them. */
export class AgentPool {
  readonly #agents = new Map<boolean, Agent>();
  readonly #connections: number | undefined;

  /** `connections`: most connections one agent opens to an origin (Pushover asks for at most two). */
  constructor(options: { connections?: number } = {}) {
    this.#connections = options.connections;
  }

  get(insecureSkipVerify = false): Dispatcher {
    let agent = this.#agents.get(insecureSkipVerify);
    if (!agent) {
      agent = new Agent({ ...(insecureSkipVerify ? { connect: { rejectUnauthorized: false } } : {}), ...(this.#connections ? { connections: this.#connections } : {}) });
      this.#agents.set(insecureSkipVerify, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.destroy(new Error('sink stopped')).catch(() => undefined)));
  }
}
