import type { z } from 'zod';
import type { Bus } from '@herald/core-bus';
import { configCompilers } from '@herald/core-evaluator';
import { FileConfigSource, KubeConfigSource, NamespaceConfigSource, NotificationConfigService, type ConfigRejection, type NotificationConfig, type NotificationConfigProvider } from '@herald/core-notification-config';
import type { Telemetry } from '@herald/core-telemetry';
import { HeraldError, isHeraldError, type Logger } from '@herald/plugin-sdk';
import type { EngineConfig, Role } from '../config/engine-config.schema.ts';
import { onChangeOnly } from '../config/on-change-only.ts';
import { KernelErrorCodes } from '../errors.ts';
import { injectableWith } from '../injectable.ts';
import { CoreTokens } from '../tokens.ts';
import { KubeConnection } from './kube-connection.ts';

/**
 * Watches the notification config (ConfigMap/Secret or files) for the evaluator and sink roles. Only the
 * evaluator needs triggers and templates: it compiles them all at each reload, so their errors are
 * reported at load time; a sink-only process is given no compilers and reads services only.
 */
export class NotificationConfigRole {
  readonly #config: EngineConfig;
  readonly #roles: readonly Role[];
  readonly #bus: Bus;
  readonly #telemetry: Telemetry;
  readonly #logger: Logger;
  readonly #kube: KubeConnection;
  readonly #serviceTypes: ReadonlySet<string>;
  readonly #serviceSchemas: ReadonlyMap<string, z.ZodType>;
  readonly #templateSchemas: ReadonlyMap<string, z.ZodType>;
  #source: { stop(): Promise<void> } | undefined;
  #provider: NotificationConfigProvider | undefined;
  #namespaces: NamespaceConfigSource | undefined;

  constructor(
    config: EngineConfig,
    roles: readonly Role[],
    bus: Bus,
    telemetry: Telemetry,
    logger: Logger,
    kube: KubeConnection,
    serviceSchemas: ReadonlyMap<string, z.ZodType>,
    serviceTypes: ReadonlySet<string>,
    templateSchemas: ReadonlyMap<string, z.ZodType>,
  ) {
    this.#config = config;
    this.#roles = roles;
    this.#bus = bus;
    this.#telemetry = telemetry;
    this.#logger = logger.child({ component: 'notification-config' });
    this.#kube = kube;
    this.#serviceTypes = serviceTypes;
    this.#serviceSchemas = serviceSchemas;
    this.#templateSchemas = templateSchemas;
  }

  /** The config in force; undefined before start() and in processes that run neither evaluator nor sink. */
  get provider(): NotificationConfigProvider | undefined {
    return this.#provider;
  }

  /**
   * Self-service (`notifications.selfService`): the config of an object's own namespace, if it has one.
   * Undefined when self-service is off.
   */
  get namespaceConfig(): ((namespace: string) => NotificationConfig | undefined) | undefined {
    const namespaces = this.#namespaces;
    return namespaces ? (namespace) => namespaces.forNamespace(namespace) : undefined;
  }

  /**
   * Self-service: calls `listener` after each load or deletion of a namespace's config; returns the unsubscribe.
   * Undefined when self-service is off.
   */
  get onNamespaceConfigChange(): ((listener: () => void) => () => void) | undefined {
    const namespaces = this.#namespaces;
    return namespaces ? (listener) => namespaces.onChange(listener) : undefined;
  }

  /** Self-service: the namespaces whose own config is in force. Undefined when self-service is off. */
  get configNamespaces(): (() => string[]) | undefined {
    const namespaces = this.#namespaces;
    return namespaces ? () => namespaces.namespaces() : undefined;
  }

  async start(): Promise<void> {
    const { notifications } = this.#config;
    const logger = this.#logger;
    const reloads = this.#telemetry
      .meter('herald.core')
      .createCounter('herald.notification_config.reloads', { description: 'New versions of notification config parts by outcome (loaded, rejected)' });
    const { files } = notifications;
    const namespace = files ? undefined : (notifications.namespace ?? this.#kube.namespace);
    // A trigger condition on the clock is warned about when herald.yaml's sources evaluate objects only on change.
    const onlyOnChange = onChangeOnly(this.#config);
    const evaluating = this.#roles.includes('evaluator') ? { compilers: configCompilers(), eager: true, ...(onlyOnChange === undefined ? {} : { onChangeOnly: onlyOnChange }) } : {};
    const common = {
      // A service no listed sink delivers is refused at load: its notifications would never be delivered.
      deliveredServiceTypes: this.#serviceTypes,
      serviceSchemas: this.#serviceSchemas,
      templateSchemas: this.#templateSchemas,
      ...evaluating,
      reloads,
      // Whoever watches the bus hears about a refused part too, not only whoever reads the logs.
      rejected: (report: ConfigRejection) => this.#bus.announce('config-rejected', 'io.herald.config-rejected.v1', 'herald/core/notification-config', report),
    };
    const service = new NotificationConfigService({
      origin: files ? `file ${files.configMap}` : `configmap ${namespace}/${notifications.configMap}`,
      logger,
      // Named in the secret references a sink outside Herald is given instead of the values.
      secretSource: files ? (files.secret ? { file: files.secret } : {}) : { name: notifications.secret, namespace: namespace! },
      ...common,
    });
    const source = files
      ? new FileConfigSource({ configMap: files.configMap, ...(files.secret ? { secret: files.secret } : {}), logger, service })
      : new KubeConfigSource({ client: this.#kube.client, namespace: namespace!, configMap: notifications.configMap, secret: notifications.secret, logger, service });
    await source.start().catch((err: unknown) => {
      // Not being able to read its config stops Herald from booting: say so as a boot failure.
      throw isHeraldError(err) ? new HeraldError(KernelErrorCodes.boot, err.message, { cause: err, retryable: err.retryable }) : err;
    });
    this.#source = source;
    this.#provider = service;
    if (notifications.selfService) {
      const namespaces = new NamespaceConfigSource({
        client: this.#kube.client,
        homeNamespace: namespace!,
        configMap: notifications.configMap,
        secret: notifications.secret,
        logger,
        serviceFor: (own) =>
          new NotificationConfigService({
            origin: `configmap ${own}/${notifications.configMap}`,
            logger: logger.child({ configNamespace: own }),
            // A namespace's `$name` references resolve in its own Secret only, never in Herald's.
            secretSource: { name: notifications.secret, namespace: own },
            ...common,
          }),
      });
      await namespaces.start().catch(async (err: unknown) => {
        await source.stop();
        throw isHeraldError(err) ? new HeraldError(KernelErrorCodes.boot, err.message, { cause: err, retryable: err.retryable }) : err;
      });
      this.#namespaces = namespaces;
    }
  }

  async stop(): Promise<void> {
    await this.#namespaces?.stop();
    await this.#source?.stop();
  }
}
injectableWith(NotificationConfigRole, [
  CoreTokens.engineConfig,
  CoreTokens.roles,
  CoreTokens.bus,
  CoreTokens.telemetry,
  CoreTokens.rootLogger,
  KubeConnection,
  CoreTokens.serviceSchemas,
  CoreTokens.serviceTypes,
  CoreTokens.templateSchemas,
]);
