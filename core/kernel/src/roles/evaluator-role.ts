import type { Bus } from '@herald/core-bus';
import { Dedup } from '@herald/core-dedup';
import { startEvaluatorWorker } from '@herald/core-evaluator';
import type { Telemetry } from '@herald/core-telemetry';
import { HeraldError, type Logger, type Subscription } from '@herald/plugin-sdk';
import type { EngineConfig } from '../config/engine-config.schema.ts';
import { KernelErrorCodes } from '../errors.ts';
import { injectableWith } from '../injectable.ts';
import { CoreTokens } from '../tokens.ts';
import { KubeConnection } from './kube-connection.ts';
import { NotificationConfigRole } from './notification-config-role.ts';
import { resyncParts } from './resync-parts.ts';

/** The evaluator role: plan, claim (core/dedup), render and publish each resource event. */
export class EvaluatorRole {
  readonly #config: EngineConfig;
  readonly #bus: Bus;
  readonly #telemetry: Telemetry;
  readonly #logger: Logger;
  readonly #notifications: NotificationConfigRole;
  readonly #kube: KubeConnection;
  #worker: Promise<Subscription> | undefined;
  #unsubscribe: (() => void) | undefined;
  #unwatchConfig: (() => void) | undefined;
  /** The records of the config's parts, one after the other (see #record). */
  #recording: Promise<void> = Promise.resolve();

  constructor(config: EngineConfig, bus: Bus, telemetry: Telemetry, logger: Logger, notifications: NotificationConfigRole, kube: KubeConnection) {
    this.#kube = kube;
    this.#config = config;
    this.#bus = bus;
    this.#telemetry = telemetry;
    this.#logger = logger.child({ component: 'evaluator' });
    this.#notifications = notifications;
  }

  async start(): Promise<void> {
    const logger = this.#logger;
    const provider = this.#notifications.provider;
    if (!provider) throw new HeraldError(KernelErrorCodes.boot, 'the evaluator role started before the notification config role', { retryable: false });
    const { notifications, state } = this.#config;
    // Where the state role mirrors the notified annotation, a first sight adopts it from the object as it is now.
    const kube = state.mirrorAnnotations && !notifications.files ? this.#kube.client : undefined;
    const tracer = this.#telemetry.tracer('herald.core');
    const start = () =>
      startEvaluatorWorker({
        subscriber: this.#bus.subscriber(tracer, logger),
        publisher: this.#bus.publisher('herald/evaluator', tracer),
        dedup: new Dedup({ kv: this.#bus.state, annotationPrefix: notifications.annotationPrefix, ...(kube ? { kube, stateEpoch: () => this.#bus.stateEpoch() } : {}) }),
        logger,
        config: () => provider.current(),
        ...(this.#notifications.namespaceConfig ? { namespaceConfig: this.#notifications.namespaceConfig } : {}),
        annotationPrefix: notifications.annotationPrefix,
        variables: notifications.variables,
        externalServiceTypes: new Set(this.#config.externalSinks.map((s) => s.serviceType)),
      });
    // Each config in force is recorded on the bus: one that can give unchanged objects a notification asks
    // the sources to publish every object again (docs/reference/config.md, "Evaluated on change").
    const unwatch = [provider.onChange(() => this.#record()), this.#notifications.onNamespaceConfigChange?.(() => this.#record())];
    this.#unwatchConfig = () => unwatch.forEach((u) => u?.());
    if (provider.current()) this.#record();
    // Events wait on the bus until there is a config to evaluate them with, rather than using up their
    // delivery attempts (a ConfigMap applied after Herald starts is normal).
    if (provider.current()) this.#worker = start();
    else {
      logger.warn({ origin: provider.origin }, 'no notification config yet: events wait on the bus until one loads');
      this.#unsubscribe = provider.onChange(() => {
        this.#worker ??= start();
        this.#worker.catch((err: unknown) => logger.error({ err }, 'the evaluator could not start'));
      });
    }
    await this.#worker;
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unwatchConfig?.();
    await (await this.#worker?.catch(() => undefined))?.stop();
    await this.#recording;
  }

  /**
   * Records the parts of the configs in force on the bus (Herald's own, and with self-service each namespace's,
   * as `<namespace>/<part>`), after the records before it; logs a resync it asked for. Never rejects.
   */
  #record(): void {
    const config = this.#notifications.provider?.current();
    if (!config) return;
    const parts = resyncParts(config);
    for (const namespace of this.#notifications.configNamespaces?.() ?? []) {
      const own = this.#notifications.namespaceConfig?.(namespace);
      if (own) for (const [key, digest] of Object.entries(resyncParts(own))) parts[`${namespace}/${key}`] = digest;
    }
    this.#recording = this.#recording.then(async () => {
      try {
        const request = await this.#bus.resyncRequests.record(parts);
        if (request) this.#logger.info({ revision: request.revision, reason: request.reason }, `the notification config changed (${request.reason}): the sources publish every object again to evaluate it`);
      } catch (err) {
        this.#logger.warn({ err }, 'cannot record the notification config on the bus: objects that did not change are evaluated with it at their next change');
      }
    });
  }
}
injectableWith(EvaluatorRole, [CoreTokens.engineConfig, CoreTokens.bus, CoreTokens.telemetry, CoreTokens.rootLogger, NotificationConfigRole, KubeConnection]);
