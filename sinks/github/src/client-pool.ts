import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { GithubServiceConfig } from './github.config.ts';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * One Octokit per configured service, authenticated as the GitHub App's installation: @octokit/auth-app
 * signs the App JWT (RS256) and exchanges it for an installation token, which it caches until shortly
 * before it expires. The client has no retry or throttling plugin: one `send` is one attempt.
 */
export class ClientPool {
  readonly #entries = new Map<string, { key: string; octokit: Octokit }>();

  get(service: string, options: GithubServiceConfig): Octokit {
    const key = JSON.stringify([options.appID, options.installationID, options.privateKey, options.enterpriseBaseURL]);
    const existing = this.#entries.get(service);
    if (existing?.key === key) return existing.octokit;
    const octokit = new Octokit({
      authStrategy: createAppAuth,
      auth: { appId: options.appID, privateKey: options.privateKey, installationId: options.installationID },
      baseUrl: (options.enterpriseBaseURL ?? 'https://api.github.com').replace(/\/+$/, ''),
      userAgent: 'herald-notifications',
      log: silent,
    });
    this.#entries.set(service, { key, octokit });
    return octokit;
  }

  clear(): void {
    this.#entries.clear();
  }
}
