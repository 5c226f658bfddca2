import type { z } from 'zod';
import type { Counter } from '@opentelemetry/api';
import { parseNotificationConfig, type ConfigIssue, type NotificationConfig, type NotificationConfigInput } from '@herald/core-evaluator';
import type { Logger } from '@herald/plugin-sdk';
import type { NotificationConfigProvider } from './notification-config-provider.ts';

export interface ReloaderOptions {
  origin: string;
  logger: Logger;
  serviceSchemas: ReadonlyMap<string, z.ZodType>;
  /** Counts reloads by outcome (`loaded`, `rejected`). */
  reloads?: Counter;
  /** Told about every rejected version, e.g. to announce it on the bus. */
  rejected?: (report: { origin: string; errors: string[]; keptPrevious: boolean }) => void;
}

/**
 * Parses every new version of the config a source reads; a good one replaces the current config, a broken
 * one is reported with every issue and the last good config keeps serving.
 */
export class ConfigReloader implements NotificationConfigProvider {
  readonly #options: ReloaderOptions;
  readonly #listeners = new Set<(config: NotificationConfig) => void>();
  #current: NotificationConfig | undefined;
  #lastInput = '';

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  get origin(): string {
    return this.#options.origin;
  }

  current(): NotificationConfig | undefined {
    return this.#current;
  }

  onChange(listener: (config: NotificationConfig) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads a new version; returns the issues found (empty when it loaded cleanly). */
  reload(input: NotificationConfigInput): ConfigIssue[] {
    const fingerprint = JSON.stringify([input.data, input.secrets ?? {}]);
    if (fingerprint === this.#lastInput) return [];
    this.#lastInput = fingerprint;
    const { logger, origin, serviceSchemas, reloads } = this.#options;
    const { config, issues } = parseNotificationConfig(input, { serviceSchemas });
    const warnings = issues.filter((i) => i.severity === 'warning').map(describe);
    if (!config) {
      const errors = issues.filter((i) => i.severity === 'error').map(describe);
      reloads?.add(1, { outcome: 'rejected' });
      this.#options.rejected?.({ origin, errors, keptPrevious: this.#current !== undefined });
      logger.error(
        { origin, errors, warnings, keptPrevious: this.#current !== undefined },
        this.#current ? `notification config in ${origin} is broken; the previous config keeps serving` : `notification config in ${origin} is broken; nothing is evaluated until it is fixed`,
      );
      return issues;
    }
    this.#current = config;
    reloads?.add(1, { outcome: 'loaded' });
    if (warnings.length) logger.warn({ origin, warnings }, `notification config in ${origin} has warnings`);
    logger.info(
      { origin, triggers: [...config.triggers.keys()], templates: config.templates.size, services: [...config.services.keys()], subscriptions: config.subscriptions.length },
      `notification config loaded from ${origin}`,
    );
    for (const listener of this.#listeners) listener(config);
    return issues;
  }
}

function describe(issue: ConfigIssue): string {
  return `${issue.key}: ${issue.message}`;
}
