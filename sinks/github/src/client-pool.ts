import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { boundedFetch } from '@herald/plugin-http';
import type { GithubServiceConfig } from './github.config.ts';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * One Octokit per configured service, authenticated as the GitHub App's installation: @octokit/auth-app
 * signs the App JWT (RS256) and exchanges it for an installation token, which it caches until shortly
 * before it expires. The client has no retry or throttling plugin: one `send` is one attempt.
 *
 * Every request the client makes is bounded by `timeoutMs`, the token exchange too: auth-app makes it
 * without the send's signal and shares one exchange in flight among all its clients of an installation id
 * (a module-level map), so an exchange that never got an answer would hold up every later send for that
 * installation until the socket died (minutes), long after GitHub answered again. Answers are read to
 * 16 MiB at most.
 */
export class ClientPool {
  readonly #entries = new Map<string, { key: string; octokit: Octokit }>();

  get(service: string, options: GithubServiceConfig, timeoutMs: number): Octokit {
    const key = JSON.stringify([options.appID, options.installationID, options.privateKey, options.enterpriseBaseURL, timeoutMs]);
    const existing = this.#entries.get(service);
    if (existing?.key === key) return existing.octokit;
    const octokit = new Octokit({
      authStrategy: createAppAuth,
      auth: { appId: options.appID, privateKey: options.privateKey, installationId: options.installationID },
      baseUrl: (options.enterpriseBaseURL ?? 'https://api.github.com').replace(/\/+$/, ''),
      userAgent: 'herald-notifications',
      log: silent,
      request: { fetch: boundedFetch(withDeadline(timeoutMs)) },
    });
    this.#entries.set(service, { key, octokit });
    return octokit;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** `fetch` with every request aborted after `timeoutMs`, whatever signal its caller gave (or none). */
function withDeadline(timeoutMs: number): typeof globalThis.fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return globalThis.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}
