import { DeliveryError } from '@herald/plugin-sdk';
import { AsyncLocalStorage } from 'node:async_hooks';
import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import { boundedFetch, transportAgent } from '@herald/plugin-http';
import { fetch as undiciFetch, type Agent } from 'undici';

import type { SlackServiceConfig } from './slack.config.ts';

const SLACK_API = 'https://slack.com/api/';

/** The client logs through Herald's logger, never its own: its lines could echo request bodies. */
const quiet: SlackLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

interface Entry {
  client: WebClient;
  agent: Agent;
}

/** What one call is bound by: the send's signal and the call timeout. Read by the client's fetch. */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * One `@slack/web-api` WebClient per service (token, API URL, transport options), made on first use, with
 * its own undici Agent. The client never retries and never queues behind a rate limit (Herald's delivery
 * runtime does both), so one call is one request.
 */
export class ClientPool {
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  /** Runs `call` on the service's client; every request it makes is aborted with `signal` or after `timeoutMs`. */
  async use<T>(serviceName: string, config: SlackServiceConfig, timeoutMs: number, signal: AbortSignal, call: (client: WebClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw DeliveryError.transient(`slack "${serviceName}": the sink is stopped`);
    const limit = config.timeout ?? timeoutMs;
    const timeout = AbortSignal.timeout(limit);
    try {
      return await callSignal.run(AbortSignal.any([signal, timeout]), () => call(this.#entry(serviceName, config).client));
    } catch (err) {
      if (timeout.aborted && !signal.aborted) throw DeliveryError.transient(`slack "${serviceName}": no answer within ${limit} ms`, { cause: err });
      throw err;
    }
  }

  /** Cuts every connection; calls still running fail as retryable. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((e) => e.agent.destroy(new Error('slack sink stopped')).catch(() => undefined)));
  }

  #entry(serviceName: string, config: SlackServiceConfig): Entry {
    const key = JSON.stringify([serviceName, config.token, config.apiURL ?? null, config.insecureSkipVerify, config.maxConnsPerHost, config.idleConnTimeout ?? null]);
    let entry = this.#entries.get(key);
    if (!entry) {
      // Only this service's connections skip verification: the agent is its own.
      const agent = transportAgent(config);
      const fetch = boundedFetch(((url: string, init: RequestInit) => {
        const bound = callSignal.getStore();
        const signals = [init.signal, bound].filter((s): s is AbortSignal => s !== undefined && s !== null);
        return undiciFetch(url, { ...(init as object), dispatcher: agent, ...(signals.length ? { signal: AbortSignal.any(signals) } : {}) });
      }) as unknown as typeof globalThis.fetch);
      const client = new WebClient(config.token, {
        slackApiUrl: apiUrl(config.apiURL),
        logger: quiet,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        allowAbsoluteUrls: false,
        fetch,
      });
      entry = { client, agent };
      this.#entries.set(key, entry);
    }
    return entry;
  }
}

/** The Web API base the client appends method names to: Argo's `apiURL` with exactly one trailing slash. */
export function apiUrl(configured: string | undefined): string {
  return configured ? `${configured.replace(/\/+$/, '')}/` : SLACK_API;
}
