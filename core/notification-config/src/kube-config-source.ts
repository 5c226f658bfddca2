import { Informer, KubeApiError, type InformerEvent, type KubeClient } from '@herald/core-kube';
import { HeraldError, type Logger } from '@herald/plugin-sdk';
import { NotificationConfigErrorCodes } from './errors.ts';
import type { NotificationConfigService } from './notification-config-service.ts';

export interface KubeConfigSourceOptions {
  client: KubeClient;
  namespace: string;
  configMap: string;
  secret: string;
  logger: Logger;
  /** Where each version read goes. */
  service: NotificationConfigService;
}

/**
 * Watches the notification ConfigMap and Secret (get/list/watch on those two names is all it needs) and
 * reloads on every change.
 */
export class KubeConfigSource {
  readonly #options: KubeConfigSourceOptions;
  readonly #service: NotificationConfigService;
  readonly #informers: Informer[] = [];
  #data: Record<string, string> | undefined;
  #secrets: Record<string, string> = {};
  #synced = false;

  constructor(options: KubeConfigSourceOptions) {
    this.#options = options;
    this.#service = options.service;
  }

  async start(): Promise<void> {
    const { client, namespace, configMap, secret, logger } = this.#options;
    const watch = (resource: string, name: string, apply: (event: InformerEvent) => void) =>
      new Informer({
        client,
        resource: { group: '', version: 'v1', resource },
        namespace,
        fieldSelector: `metadata.name=${name}`,
        logger,
        onEvent: async (event) => {
          apply(event);
          if (this.#synced) this.#reload();
        },
      });
    const informers = [
      {
        what: `secret ${namespace}/${secret}`,
        informer: watch('secrets', secret, (e) => {
          this.#secrets = e.type === 'DELETED' ? {} : decodeSecret(e.object.data);
        }),
      },
      {
        what: `configmap ${namespace}/${configMap}`,
        informer: watch('configmaps', configMap, (e) => {
          this.#data = e.type === 'DELETED' ? undefined : stringMap(e.object.data);
        }),
      },
    ];
    // The Secret first, so the first ConfigMap load already resolves $references.
    await startInOrder(informers, this.#informers, () => this.stop());
    this.#synced = true;
    this.#reload();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.stop()));
  }

  #reload(): void {
    if (this.#data === undefined) {
      this.#options.logger.warn({ origin: this.#service.origin }, `${this.#service.origin} does not exist (yet): nothing is evaluated until it does`);
      return;
    }
    this.#service.reload({ data: this.#data, secrets: this.#secrets });
  }
}

/**
 * Starts each informer (its first list) in turn, kept in `started` for stopping; on a failure, stops what started
 * and throws what the informer could not read, and what to grant when it was refused.
 */
export async function startInOrder(informers: ReadonlyArray<{ what: string; informer: Informer }>, started: Informer[], stop: () => Promise<void>, grant?: string): Promise<void> {
  for (const { what, informer } of informers) {
    started.push(informer);
    try {
      await informer.start();
    } catch (cause) {
      await stop();
      throw startFailure(what, cause, grant);
    }
  }
}

/** A refused first list says what to grant; anything else may pass (the API server restarting). */
function startFailure(what: string, cause: unknown, grant = 'get, list and watch on it'): HeraldError {
  if (cause instanceof KubeApiError && cause.status === 403) {
    return new HeraldError(NotificationConfigErrorCodes.unreadable, `cannot read the notification ${what}: ${cause.message} (Herald needs ${grant})`, { cause });
  }
  const reason = cause instanceof KubeApiError ? `${cause.status} ${cause.message}` : String((cause as Error)?.message ?? cause);
  return new HeraldError(NotificationConfigErrorCodes.unreadable, `cannot read the notification ${what}: ${reason}`, { cause, retryable: true });
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function decodeSecret(value: unknown): Record<string, string> {
  const out = stringMap(value);
  for (const k of Object.keys(out)) out[k] = Buffer.from(out[k]!, 'base64').toString('utf8');
  return out;
}
