import { Agent, type Dispatcher } from 'undici';
import type { TransportOptions } from './transport-options.ts';

/**
 * A new undici Agent shaped by Argo's transport options: `insecureSkipVerify` (only this agent's connections
 * skip verification), `maxConnsPerHost` (0: no limit), `idleConnTimeout` (how long an idle kept-alive
 * connection stays). Argo's idle-connection counts have no undici counterpart: connections are pooled per agent.
 */
export function transportAgent(options: Partial<TransportOptions>): Agent {
  return new Agent({
    ...(options.insecureSkipVerify ? { connect: { rejectUnauthorized: false } } : {}),
    ...(options.maxConnsPerHost ? { connections: options.maxConnsPerHost } : {}),
    ...(options.idleConnTimeout === undefined ? {} : { keepAliveTimeout: options.idleConnTimeout, keepAliveMaxTimeout: options.idleConnTimeout }),
  });
}

/**
 * One transportAgent (kept-alive connections pooled per origin) per scope (a service name, or none) and
 * transport options, made on first use; `close` destroys them all.
 */
export class AgentPool {
  readonly #agents = new Map<string, Agent>();
  readonly #connections: number | undefined;

  /** `connections`: most connections an agent opens to an origin when the options set none (Pushover asks for at most two). */
  constructor(options: { connections?: number } = {}) {
    this.#connections = options.connections;
  }

  get(options: Partial<TransportOptions> = {}, scope = ''): Dispatcher {
    const connections = options.maxConnsPerHost || this.#connections;
    const key = JSON.stringify([scope, options.insecureSkipVerify === true, connections ?? 0, options.idleConnTimeout ?? null]);
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = transportAgent({ ...options, ...(connections ? { maxConnsPerHost: connections } : {}) });
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
