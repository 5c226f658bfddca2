import { Informer, type InformerEvent, type KubeClient } from '@herald/core-kube';
import type { Logger } from '@herald/plugin-sdk';
import { decodeSecret, startInOrder, stringMap } from './kube-config-source.ts';
import type { NotificationConfig } from './notification-config.ts';
import type { NotificationConfigService } from './notification-config-service.ts';

export interface NamespaceConfigSourceOptions {
  client: KubeClient;
  /** Herald's own namespace: its ConfigMap and Secret are Herald's own config (KubeConfigSource), never read here. */
  homeNamespace: string;
  /** The names Herald's own ConfigMap and Secret have; a namespace's config has the same names. */
  configMap: string;
  secret: string;
  logger: Logger;
  /** A new service for one namespace's config, the first time its ConfigMap is seen. */
  serviceFor: (namespace: string) => NotificationConfigService;
}

interface NamespaceEntry {
  service: NotificationConfigService | undefined;
  data: Record<string, string> | undefined;
  secrets: Record<string, string>;
}

/**
 * Self-service notifications, as Argo CD's `--self-service-notification-enabled`: the ConfigMap and Secret with
 * the names of Herald's own, in every other namespace, each a notification config of its own for the objects of
 * that namespace. Two informers over all namespaces, each limited to one name by a field selector (so RBAC can
 * grant list and watch on those names only). A namespace's config is read, hot-reloaded and kept at its last
 * good version per key like Herald's own; a broken one never affects another namespace's or Herald's own.
 */
export class NamespaceConfigSource {
  readonly #options: NamespaceConfigSourceOptions;
  readonly #namespaces = new Map<string, NamespaceEntry>();
  readonly #informers: Informer[] = [];
  readonly #listeners = new Set<() => void>();
  #synced = false;

  constructor(options: NamespaceConfigSourceOptions) {
    this.#options = options;
  }

  /** The config in force for the objects of `namespace`; undefined when it has no ConfigMap (or it never loaded). */
  forNamespace(namespace: string): NotificationConfig | undefined {
    const entry = this.#namespaces.get(namespace);
    return entry?.data === undefined ? undefined : entry.service?.current();
  }

  /** The namespaces whose own config is in force (for `herald status`), sorted. */
  namespaces(): string[] {
    return [...this.#namespaces.keys()].filter((namespace) => this.forNamespace(namespace) !== undefined).sort();
  }

  /** Calls `listener` after each load of a namespace's config and each deletion, once the first lists are read. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    const { client, configMap, secret, logger, homeNamespace } = this.#options;
    const watch = (resource: string, name: string, apply: (namespace: string, event: InformerEvent) => void) =>
      new Informer({
        client,
        resource: { group: '', version: 'v1', resource },
        fieldSelector: `metadata.name=${name}`,
        logger,
        onEvent: async (event) => {
          const namespace = event.object.metadata?.namespace;
          if (!namespace || namespace === homeNamespace) return;
          apply(namespace, event);
          if (this.#synced) {
            this.#reload(namespace);
            this.#changed();
          }
        },
      });
    const informers = [
      {
        what: `secrets named ${secret} in every namespace`,
        informer: watch('secrets', secret, (namespace, e) => {
          this.#entry(namespace).secrets = e.type === 'DELETED' ? {} : decodeSecret(e.object.data);
        }),
      },
      {
        what: `configmaps named ${configMap} in every namespace`,
        informer: watch('configmaps', configMap, (namespace, e) => {
          const entry = this.#entry(namespace);
          if (e.type !== 'DELETED') entry.data = stringMap(e.object.data);
          else {
            // Gone: its objects are left to Herald's own config. A new one starts afresh, with no last good versions.
            entry.data = undefined;
            entry.service = undefined;
            logger.info({ namespace }, `the notification config of namespace ${namespace} was deleted`);
          }
        }),
      },
    ];
    // The Secrets first, so each first ConfigMap load already resolves $references.
    await startInOrder(informers, this.#informers, () => this.stop(), 'get, list and watch on them, in a ClusterRole');
    this.#synced = true;
    for (const namespace of this.#namespaces.keys()) this.#reload(namespace);
    this.#changed();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.stop()));
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  #entry(namespace: string): NamespaceEntry {
    let entry = this.#namespaces.get(namespace);
    if (!entry) this.#namespaces.set(namespace, (entry = { service: undefined, data: undefined, secrets: {} }));
    return entry;
  }

  #reload(namespace: string): void {
    const entry = this.#namespaces.get(namespace);
    if (!entry) return;
    if (entry.data === undefined) {
      // A Secret alone is kept for a ConfigMap to come; neither left: nothing to keep.
      if (Object.keys(entry.secrets).length === 0) this.#namespaces.delete(namespace);
      return;
    }
    if (!entry.service) {
      entry.service = this.#options.serviceFor(namespace);
      this.#options.logger.info({ namespace, origin: entry.service.origin }, `reading the notification config of namespace ${namespace} for its objects`);
    }
    entry.service.reload({ data: entry.data, secrets: entry.secrets });
  }
}
