import { DeliveryError } from '@herald/plugin-sdk';
import { transportAgent } from '@herald/plugin-http';
import type { Agent, Dispatcher } from 'undici';

import type { WebhookServiceConfig } from './webhook.config.ts';

interface Entry {
  agent: Agent;
  dispatcher: Dispatcher;
  inflight: number;
}

/**
 * One undici Agent (keep-alive connections pooled per origin) per service name and connection options,
 * made on first use. After a config reload changed a service's options, the old agent only holds idle
 * connections, which its keep-alive timeout closes; `close` destroys them all.
 */
export class AgentPool {
  readonly #entries = new Map<string, Entry>();
  readonly #idleWaiters = new Set<() => void>();
  #closed = false;

  /** Runs one request on the service's agent; requests running here are what `close` waits for. */
  async use<T>(serviceName: string, config: WebhookServiceConfig, request: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    if (this.#closed) throw DeliveryError.transient(`webhook "${serviceName}": the sink is stopped`);
    const entry = this.#entry(serviceName, config);
    entry.inflight++;
    try {
      return await request(entry.dispatcher);
    } finally {
      entry.inflight--;
      for (const check of this.#idleWaiters) check();
    }
  }

  /**
   * Waits up to `drainMs` for requests in flight, then destroys every agent with its kept-alive
   * connections (requests still running fail, as retryable). Idempotent.
   */
  async close(drainMs: number): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    if (entries.some((e) => e.inflight > 0)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#idleWaiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const check = () => {
          if (entries.every((e) => e.inflight === 0)) done();
        };
        const timer = setTimeout(done, drainMs);
        this.#idleWaiters.add(check);
      });
    }
    // Not agent.close(): an agent being closed forgets its connections, and destroy could not cut them.
    await Promise.all(entries.map((e) => e.agent.destroy(new Error('webhook sink stopped')).catch(() => undefined)));
  }

  #entry(serviceName: string, config: WebhookServiceConfig): Entry {
    const key = JSON.stringify([serviceName, config.insecureSkipVerify, config.maxConnsPerHost, config.idleConnTimeout ?? null]);
    let entry = this.#entries.get(key);
    if (!entry) {
      // Only this service's connections skip verification: the agent is its own.
      const agent = transportAgent(config);
      // Redirects are followed by the attempt itself, which knows which ones may take the credentials along.
      entry = { agent, dispatcher: agent, inflight: 0 };
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
