import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isHeraldError, type Logger } from '@herald/plugin-sdk';
import { readConfigMapYaml, readSecretYaml } from './config-files.ts';
import type { NotificationConfigService } from './notification-config-service.ts';

export interface FileConfigSourceOptions {
  configMap: string;
  secret?: string;
  logger: Logger;
  /** Where each version read goes. */
  service: NotificationConfigService;
}

/** Reads the notification config from files (a ConfigMap and a Secret manifest), reloading when they change. */
export class FileConfigSource {
  readonly #options: FileConfigSourceOptions;
  readonly #service: NotificationConfigService;
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FileConfigSourceOptions) {
    this.#options = options;
    this.#service = options.service;
  }

  async start(): Promise<void> {
    this.#load();
    // Watch the folders, not the files: editors replace files, and a file may not exist yet.
    const files = [this.#options.configMap, this.#options.secret].filter((f): f is string => f !== undefined).map((f) => resolve(f));
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      this.#watchers.push(
        watch(dir, (_event, name) => {
          if (name !== null && !files.includes(join(dir, name))) return;
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => this.#load(), 100);
        }),
      );
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
      this.#service.reload({ data: cm.data, secrets, file: cm.file, positions: cm.positions });
    } catch (err) {
      const message = isHeraldError(err) ? err.message : String((err as Error)?.message ?? err);
      this.#options.logger.error({ origin: this.#service.origin, err: message }, `cannot read the notification config; ${this.#service.current() ? 'the previous config keeps serving' : 'nothing is evaluated until it can be read'}`);
    }
  }
}
