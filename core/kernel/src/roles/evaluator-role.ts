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
    await (await this.#worker?.catch(() => undefined))?.stop();
  }
}
injectableWith(EvaluatorRole, [CoreTokens.engineConfig, CoreTokens.bus, CoreTokens.telemetry, CoreTokens.rootLogger, NotificationConfigRole, KubeConnection]);
