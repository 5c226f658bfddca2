import { readFileSync, watch, type FSWatcher } from 'node:fs';
import type { z } from 'zod';
import type { Counter } from '@opentelemetry/api';
import { readConfigMapYaml, readSecretYaml, type NotificationConfig } from '@herald/core-evaluator';
import { isHeraldError, type Logger } from '@herald/plugin-sdk';
import { ConfigReloader, type ReloaderOptions } from './config-reloader.ts';
import type { NotificationConfigProvider } from './notification-config-provider.ts';

export interface FileConfigProviderOptions {
  configMap: string;
  secret?: string;
  logger: Logger;
  serviceSchemas: ReadonlyMap<string, z.ZodType>;
  reloads?: Counter;
  /** Told about every rejected version of the config. */
  rejected?: ReloaderOptions['rejected'];
}

/** Reads the notification config from files (a ConfigMap and a Secret manifest), reloading when they change. */
export class FileConfigProvider implements NotificationConfigProvider {
  readonly origin: string;
  readonly #options: FileConfigProviderOptions;
  readonly #reloader: ConfigReloader;
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FileConfigProviderOptions) {
    this.#options = options;
    this.origin = `file ${options.configMap}`;
    this.#reloader = new ConfigReloader({ origin: this.origin, logger: options.logger, serviceSchemas: options.serviceSchemas, ...(options.reloads ? { reloads: options.reloads } : {}), ...(options.rejected ? { rejected: options.rejected } : {}) });
  }

  current(): NotificationConfig | undefined {
    return this.#reloader.current();
  }

  onChange(listener: (config: NotificationConfig) => void): () => void {
    return this.#reloader.onChange(listener);
  }

  async start(): Promise<void> {
    this.#load();
    for (const file of [this.#options.configMap, this.#options.secret]) {
      if (!file) continue;
      // Editors replace files; re-reading a moment later sees the finished write.
      this.#watchers.push(watch(file, () => {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#load(), 100);
      }));
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    for (const w of this.#watchers.splice(0)) w.close();
  }

  #load(): void {
    try {
      const cm = readConfigMapYaml(readFileSync(this.#options.configMap, 'utf8'), this.#options.configMap);
      const secrets = this.#options.secret ? readSecretYaml(readFileSync(this.#options.secret, 'utf8'), this.#options.secret) : {};
      this.#reloader.reload({ data: cm.data, secrets, file: cm.file, positions: cm.positions });
    } catch (err) {
      const message = isHeraldError(err) ? err.message : String((err as Error)?.message ?? err);
      this.#options.logger.error({ origin: this.origin, err: message }, `cannot read the notification config; ${this.#reloader.current() ? 'the previous config keeps serving' : 'nothing is evaluated until it can be read'}`);
    }
  }
}
