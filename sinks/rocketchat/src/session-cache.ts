import { DeliveryError } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, type Dispatcher } from '@herald/plugin-http';
import type { RocketchatServiceConfig } from './rocketchat.config.ts';

/** A logged-in user: the headers Rocket.Chat authenticates REST calls by. */
export interface Session {
  userId: string;
  authToken: string;
}

interface LoginOptions {
  dispatcher: Dispatcher;
  what: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Masked in the login's answer and errors (the password; never the token the answer brings). */
  secrets?: readonly string[];
}

/**
 * Rocket.Chat sessions per server and credentials. Argo logs in before every message; Herald logs in once
 * and reuses the auth token until Rocket.Chat refuses it (then `forget`), so a send is one request.
 * Concurrent sends share one login.
 */
export class SessionCache {
  readonly #sessions = new Map<string, Promise<Session>>();

  /** The cached session, or a new login; `fresh` says which. A failed login is not cached. */
  async get(config: RocketchatServiceConfig, options: LoginOptions): Promise<{ session: Session; fresh: boolean }> {
    const key = JSON.stringify([config.serverUrl, config.email, config.password]);
    const cached = this.#sessions.get(key);
    if (cached) return { session: await cached, fresh: false };
    const login = this.#login(config, options);
    this.#sessions.set(key, login);
    login.catch(() => this.#sessions.delete(key));
    return { session: await login, fresh: true };
  }

  /** Drops a session Rocket.Chat no longer takes (logged out, expired). */
  forget(config: RocketchatServiceConfig): void {
    this.#sessions.delete(JSON.stringify([config.serverUrl, config.email, config.password]));
  }

  clear(): void {
    this.#sessions.clear();
  }

  async #login(config: RocketchatServiceConfig, { dispatcher, what, timeoutMs, signal, secrets }: LoginOptions): Promise<Session> {
    const label = `${what}: login as ${config.email}`;
    const answer = await callApi(
      dispatcher,
      {
        url: `${config.serverUrl.replace(/\/+$/, '')}/api/v1/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: config.email, password: config.password }),
      },
      { what: label, timeoutMs, signal, ...(secrets ? { secrets } : {}) },
    );
    if (answer.status !== 200) throw answerError(label, answer);
    let data: { userId?: unknown; authToken?: unknown } | undefined;
    try {
      data = (JSON.parse(answer.body) as { data?: { userId?: unknown; authToken?: unknown } }).data;
    } catch {
      data = undefined;
    }
    if (typeof data?.userId !== 'string' || typeof data.authToken !== 'string') throw DeliveryError.transient(`${label}: Rocket.Chat answered 200 without userId and authToken`);
    return { userId: data.userId, authToken: data.authToken };
  }
}
