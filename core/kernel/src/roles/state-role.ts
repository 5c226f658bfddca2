import type { Bus, DeadLetter } from '@herald/core-bus';
import { startStateRole } from '@herald/core-dedup';
import type { Telemetry } from '@herald/core-telemetry';
import type { Logger } from '@herald/plugin-sdk';
import type { EngineConfig } from '../config/engine-config.schema.ts';
import { injectableWith } from '../injectable.ts';
import { CoreTokens } from '../tokens.ts';
import { KubeConnection } from './kube-connection.ts';

/** The state role: core/dedup settling claims from delivery results and mirroring the `notified` annotation. */
export class StateRole {
  readonly #config: EngineConfig;
  readonly #bus: Bus;
  readonly #telemetry: Telemetry;
  readonly #logger: Logger;
  readonly #kube: KubeConnection;
  #running: { stop(): Promise<void> } | undefined;

  constructor(config: EngineConfig, bus: Bus, telemetry: Telemetry, logger: Logger, kube: KubeConnection) {
    this.#config = config;
    this.#bus = bus;
    this.#telemetry = telemetry;
    this.#logger = logger.child({ component: 'state' });
    this.#kube = kube;
  }

  async start(): Promise<void> {
    const { notifications, state } = this.#config;
    const logger = this.#logger;
    this.#running = await startStateRole({
      subscriber: this.#bus.subscriber(this.#telemetry.tracer('herald.core'), logger),
      kv: this.#bus.state,
      logger,
      stateChanges: (durable, handler) => this.#bus.stateChanges(durable, logger, handler),
      // No cluster to write to when the config comes from files.
      kube: state.mirrorAnnotations && !notifications.files ? this.#kube.client : undefined,
      annotationPrefix: notifications.annotationPrefix,
      coalesceMs: state.coalesce,
      ...(state.removeDeliveredDeadLetters > 0
        ? { deadLetters: { everyMs: state.removeDeliveredDeadLetters, letters: (limit: number, after?: string) => this.#bus.notificationDeadLetters(limit, after), remove: (letter: DeadLetter) => this.#bus.removeDeadLetter(letter) } }
        : {}),
    });
  }

  async stop(): Promise<void> {
    await this.#running?.stop();
  }
}
injectableWith(StateRole, [CoreTokens.engineConfig, CoreTokens.bus, CoreTokens.telemetry, CoreTokens.rootLogger, KubeConnection]);
