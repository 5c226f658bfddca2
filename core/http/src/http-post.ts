import { DeliveryError } from '@herald/plugin-sdk';
import { Agent, type Dispatcher } from 'undici';

/** What the remote side answered. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, at most BODY_LIMIT bytes of it. */
  body: string;
}

/** Connection options of one service, as Argo's transport options give them. */
export interface ConnectionOptions {
  insecureSkipVerify: boolean;
  maxConnsPerHost: number;
  idleConnTimeout?: number | undefined;
}

// Enough for any answer worth showing; a larger body is cut, never buffered whole.
const BODY_LIMIT = 64 * 1024;

/**
 * One undici Agent (kept-alive connections pooled per origin) per service name and connection options,
 * made on first use; `close` destroys them all.
 */
export class AgentPool {
  readonly #agents = new Map<string, Agent>();

  get(serviceName: string, options: ConnectionOptions): Dispatcher {
    const key = JSON.stringify([serviceName, options.insecureSkipVerify, options.maxConnsPerHost, options.idleConnTimeout ?? null]);
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        // Only this service's connections skip verification: the agent is its own.
        ...(options.insecureSkipVerify ? { connect: { rejectUnauthorized: false } } : {}),
        ...(options.maxConnsPerHost > 0 ? { connections: options.maxConnsPerHost } : {}),
        ...(options.idleConnTimeout === undefined ? {} : { keepAliveTimeout: options.idleConnTimeout, keepAliveMaxTimeout: options.idleConnTimeout }),
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.destroy(new Error('sink stopped')).catch(() => undefined)));
  }
}

/**
 * POSTs `body` as JSON to `url`, once (no redirects followed, no retries), bounded by `timeoutMs` and
 * `signal`. Throws a DeliveryError when no answer came: transient for network failures and timeouts,
 * permanent for an untrusted TLS certificate; the caller masks the message. Rejects with the abort
 * reason's DeliveryError when `signal` aborts.
 */
export async function postJson(
  url: URL,
  body: string,
  options: { dispatcher: Dispatcher; signal: AbortSignal; timeoutMs: number; userAgent: string; what: string; headers?: Record<string, string> },
): Promise<HttpAnswer> {
  const { signal, timeoutMs, what } = options;
  const deadline = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, deadline]);
  try {
    const response = await options.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': options.userAgent, ...options.headers },
      body,
      signal: both,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= BODY_LIMIT) break;
    }
    if (size >= BODY_LIMIT) await response.body.dump().catch(() => undefined);
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT) };
  } catch (err) {
    if (signal.aborted) {
      const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
      throw DeliveryError.transient(`${what} aborted: ${why}`, { cause: signal.reason });
    }
    if (deadline.aborted) throw DeliveryError.transient(`${what} timed out: no complete answer within ${timeoutMs} ms`);
    const code = errorCode(err);
    const detail = `${err instanceof Error ? err.message : String(err)}${code && !String(err).includes(code) ? ` (${code})` : ''}`;
    // The remote's certificate or Herald's trust is wrong: no retry fixes that.
    if (code && /CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
      throw DeliveryError.permanent(`${what} failed: TLS certificate not trusted (${detail}); trust its CA (NODE_EXTRA_CA_CERTS) or set insecureSkipVerify`);
    }
    throw DeliveryError.transient(`${what} failed: ${detail}`);
  }
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
