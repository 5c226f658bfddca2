import type { DependencyContainer } from 'tsyringe';
import { coreServices, isHeraldError, type HeraldPlugin, type Logger, type ServiceRef, type SinkHandle, type SourceHandle, type Subscription } from '@herald/plugin-sdk';
import { Bus } from '@herald/core-bus';
import type { NotificationConfigProvider } from '@herald/core-notification-config';
import type { Telemetry } from '@herald/core-telemetry';
import type { EngineConfig, PluginEntry, Role } from './config/engine-config.schema.ts';
import { createPluginContainer, createRootContainer, registerSinkSchemas, tokenFor } from './container.ts';
import { KernelErrorCodes, PluginError } from './errors.ts';
import { callPlugin } from './plugins/plugin-call.ts';
import { redactSecrets, validatePluginConfig } from './plugins/plugin-config.ts';
import { PluginCatalog } from './plugins/plugin-catalog.ts';
import { loadPlugin } from './plugins/plugin-loader.ts';
import { startSinkRunner, startUndeliverableSweeper } from '@herald/core-delivery';
import type { TrackedSubscriber } from './tracked-subscriber.ts';
import { toBusOptions } from './bus-options.ts';
import { envOverridesOf } from './config/load-engine-config.ts';
import { startCoreRoles, type CoreRoles } from './core-roles.ts';

function trackedSubscriber(container: DependencyContainer): TrackedSubscriber {
  return container.resolve<TrackedSubscriber>(tokenFor(coreServices.subscriber));
}

export interface KernelOptions {
  config: EngineConfig;
  /** Directory plugin package names and relative paths resolve from (where herald.yaml lives). */
  baseDir: string;
  logger: Logger;
  telemetry: Telemetry;
  /** Roles to run; default: the config's `roles`. */
  roles?: readonly Role[];
}

export type PluginState = 'running' | 'failed' | 'idle' | 'stopped';

export interface PluginStatus {
  id: string;
  name: string;
  kind?: HeraldPlugin['kind'];
  state: PluginState;
  error?: { code: string; message: string };
}

interface ActivePlugin {
  id: string;
  entry: PluginEntry;
  plugin: HeraldPlugin;
  container: DependencyContainer;
  handle: SourceHandle | SinkHandle;
  subscriptions: Subscription[];
  /** Aborted once the plugin's intake has stopped: sends in flight learn Herald is shutting down. */
  shutdown: AbortController;
}

/**
 * Boots plugins in config order, each in its own child container and under deadlines, and stops them in
 * reverse. A plugin failing at boot stops Herald (`onBootFailure: abort`) or is left out (`continue`).
 */
export class Kernel {
  readonly #options: KernelOptions;
  readonly #log: Logger;
  readonly #bus: Bus;
  readonly #root: DependencyContainer;
  readonly #active: ActivePlugin[] = [];
  readonly #status: PluginStatus[] = [];
  #stopping: Promise<void> | undefined;
  #core: CoreRoles | undefined;
  #sweeper: { stop(): Promise<void> } | undefined;

  private constructor(options: KernelOptions, bus: Bus) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'kernel' });
    this.#bus = bus;
    this.#root = createRootContainer({ config: options.config, roles: options.roles ?? options.config.roles, bus, telemetry: options.telemetry, logger: options.logger });
  }

  static async boot(options: KernelOptions): Promise<Kernel> {
    const bus = await Bus.connect(toBusOptions(options.config), options.logger.child({ component: 'bus' }));
    const kernel = new Kernel(options, bus);
    try {
      await kernel.#bootPlugins();
    } catch (err) {
      await kernel.stop();
      throw err;
    }
    return kernel;
  }

  get roles(): readonly Role[] {
    return this.#options.roles ?? this.#options.config.roles;
  }

  get bus(): Bus {
    return this.#bus;
  }

  /** The notification config in force; undefined in a process that runs neither the evaluator nor a sink. */
  get notificationConfig(): NotificationConfigProvider | undefined {
    return this.#core?.notifications;
  }

  /** Self-service: the namespaces whose own notification config is in force here; undefined when it is off. */
  configNamespaces(): string[] | undefined {
    return this.#core?.configNamespaces?.();
  }

  status(): readonly PluginStatus[] {
    return this.#status;
  }

  /** What each started source that reports readiness says (`SourceHandle.ready`): true, or what it waits for. */
  sourceReadiness(): { id: string; ready: true | string }[] {
    return this.#active
      .filter((a) => a.plugin.kind === 'source' && typeof (a.handle as SourceHandle).ready === 'function')
      .map((a) => {
        try {
          return { id: a.id, ready: (a.handle as SourceHandle).ready!() };
        } catch (err) {
          return { id: a.id, ready: `readiness check failed: ${(err as Error).message}` };
        }
      });
  }

  async #bootPlugins(): Promise<void> {
    const { config, baseDir } = this.#options;
    const catalog = new PluginCatalog(config.externalSinks.map((s) => s.serviceType));
    const loaded: { entry: PluginEntry; plugin: HeraldPlugin; pluginConfig: unknown; status: PluginStatus }[] = [];
    // Load and check every plugin first: the core needs the sinks' service and template schemas to read the config.
    for (const [index, entry] of config.plugins.entries()) {
      const status: PluginStatus = { id: entry.name, name: entry.name, state: 'failed' };
      this.#status.push(status);
      try {
        const plugin = await loadPlugin(entry.name, { baseDir, pluginsFolder: config.pluginsFolder });
        status.id = plugin.id;
        status.kind = plugin.kind;
        catalog.add(plugin, index);
        const pluginConfig = validatePluginConfig(plugin.id, index, plugin.configSchema, entry.options, envOverridesOf(config));
        loaded.push({ entry, plugin, pluginConfig, status });
      } catch (err) {
        this.#bootFailed(entry, status, err);
      }
    }

    // A sink outside Herald delivers the external types: the config takes their services and nothing sweeps them up.
    registerSinkSchemas(this.#root, { types: catalog.deliveredTypes(), service: catalog.serviceSchemas, template: catalog.templateSchemas });
    this.#core = await startCoreRoles(this.#root);
    if (this.roles.includes('sink')) {
      // Notifications of a type no listed sink delivers are dead-lettered, not left on the bus forever.
      const logger = this.#log.child({ component: 'undeliverable' });
      const tracer = this.#options.telemetry.tracer('herald.core.delivery');
      this.#sweeper = await startUndeliverableSweeper({
        subscriber: this.#bus.subscriber(tracer, logger),
        publisher: this.#bus.publisher('herald/core/delivery', tracer),
        logger,
        deliveredTypes: catalog.deliveredTypes(),
        typesOnBus: () => this.#bus.notificationTypes(),
      });
      // An earlier Herald read every notification through this one durable; each undelivered type has its own now.
      // Best effort: a server restarting at this moment must not stop the sink from starting (the stream keeps
      // messages by limits, so a durable nobody reads holds nothing back); the next start tries again.
      await this.#bus.retireConsumer('notifications', 'herald-undeliverable').then(
        (removed) => removed && logger.info('removed the durable consumer herald-undeliverable (a consumer per undelivered service type replaces it)'),
        (err: unknown) => logger.warn({ err }, 'cannot remove the durable consumer herald-undeliverable of an earlier Herald now; the next start tries again'),
      );
    }

    for (const { entry, plugin, pluginConfig, status } of loaded) {
      try {
        if (!this.roles.includes(plugin.kind)) {
          status.state = 'idle';
          this.#log.info({ plugin: plugin.id }, `plugin not started: role "${plugin.kind}" is not run by this process`);
          continue;
        }
        const active = await this.#initPlugin(plugin, entry, pluginConfig);
        try {
          await this.#startPlugin(active);
        } catch (err) {
          // A plugin that is not running must not go on consuming or publishing.
          await this.#stopPlugin(active);
          throw err;
        }
        this.#active.push(active);
        status.state = 'running';
        this.#log.info({ plugin: plugin.id, kind: plugin.kind, options: redactSecrets(plugin.configSchema, pluginConfig) }, 'plugin running');
      } catch (err) {
        this.#bootFailed(entry, status, err);
      }
    }
  }

  /** Applies the plugin's boot-failure policy: stop Herald, or go on without it. */
  #bootFailed(entry: PluginEntry, status: PluginStatus, err: unknown): void {
    const error = err instanceof PluginError ? err : new PluginError(status.id, KernelErrorCodes.pluginInit, String((err as Error)?.message ?? err), { cause: err });
    status.id = error.pluginId;
    status.error = { code: error.code, message: error.message };
    if (entry.onBootFailure === 'abort') throw error;
    this.#log.error({ err: error, plugin: status.id }, 'plugin left out (onBootFailure: continue)');
  }

  async #initPlugin(plugin: HeraldPlugin, entry: PluginEntry, config: unknown): Promise<ActivePlugin> {
    const container = createPluginContainer(this.#root, plugin.id, plugin.kind, entry.callTimeout);
    const deps: Record<string, unknown> = {};
    for (const [key, ref] of Object.entries(plugin.deps as Record<string, ServiceRef<unknown>>)) {
      const token = tokenFor(ref);
      if (!container.isRegistered(token, true)) {
        throw new PluginError(plugin.id, KernelErrorCodes.pluginDeps, `deps.${key} asks for unknown service "${ref?.id}"`);
      }
      deps[key] = container.resolve(token);
    }
    const init = plugin.init as (context: Record<string, unknown>) => Promise<SourceHandle | SinkHandle>;
    let late: Promise<SourceHandle | SinkHandle> | undefined;
    try {
      const handle = await callPlugin(plugin.id, 'init', entry.initTimeout, (signal) => (late = init({ ...deps, config, signal })), { failureCode: KernelErrorCodes.pluginInit });
      return { id: plugin.id, entry, plugin, container, handle, subscriptions: [], shutdown: new AbortController() };
    } catch (err) {
      // An init that finishes after its deadline gets stopped at once, with anything it subscribed to.
      void late?.then((handle) => this.#stopPlugin({ id: plugin.id, entry, plugin, container, handle, subscriptions: [], shutdown: new AbortController() })).catch(() => undefined);
      await trackedSubscriber(container).stopAll();
      throw err;
    }
  }

  async #startPlugin(active: ActivePlugin): Promise<void> {
    const { plugin, entry, container } = active;
    if (plugin.kind === 'source') {
      const handle = active.handle as SourceHandle;
      await callPlugin(plugin.id, 'start', entry.initTimeout, () => handle.start(), { failureCode: KernelErrorCodes.pluginInit });
      return;
    }
    // core/delivery runs the sink: it uses the bus directly, and calls the plugin's `send` through the
    // kernel's plugin call (deadline, the plugin's id in every error).
    active.subscriptions = await startSinkRunner({
      sink: plugin,
      handle: active.handle as SinkHandle,
      subscriber: this.#bus.subscriber(container.resolve(tokenFor(coreServices.tracer)), container.resolve(tokenFor(coreServices.logger))),
      publisher: container.resolve(tokenFor(coreServices.publisher)),
      logger: container.resolve(tokenFor(coreServices.logger)),
      meter: container.resolve(tokenFor(coreServices.meter)),
      call: (what, timeoutMs, work, shutdown) => callPlugin(plugin.id, what, timeoutMs, work, { shutdown }),
      callTimeoutMs: entry.callTimeout,
      settings: this.#options.config.sink,
      shutdown: active.shutdown.signal,
      services: (configNamespace) => (configNamespace ? this.#core?.namespaceConfig?.(configNamespace) : this.#core?.notifications?.current())?.services,
      pace: (serviceType) => this.#bus.paceStore(serviceType),
    });
  }

  /** Stops plugins in reverse boot order (each under its deadline), then drains the bus. Idempotent. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stopAll());
  }

  async #stopAll(): Promise<void> {
    for (const active of this.#active.splice(0).reverse()) {
      await this.#stopPlugin(active);
      const status = this.#status.find((s) => s.id === active.id);
      if (status) status.state = 'stopped';
    }
    await this.#sweeper?.stop();
    await this.#core?.stop();
    await this.#bus.drain();
  }

  /** Stops a plugin's subscriptions, then the plugin, all within its stopTimeout. Never throws. */
  async #stopPlugin(active: ActivePlugin): Promise<void> {
    try {
      await callPlugin(active.id, 'stop its intake', active.entry.stopTimeout, async () => {
        // Stop intake first; only then tell sends in flight, whose failure now hands the message back.
        const intake = [...active.subscriptions.map((s) => s.stop()), trackedSubscriber(active.container).stopAll()];
        active.shutdown.abort(new Error('Herald is shutting down'));
        await Promise.all(intake);
      });
    } catch (err) {
      this.#log.error({ err, plugin: active.id, code: isHeraldError(err) ? err.code : undefined }, 'plugin intake did not stop in time');
    }
    // Its own deadline: a slow intake never costs the plugin its chance to release what it holds.
    try {
      await callPlugin(active.id, 'stop', active.entry.stopTimeout, () => active.handle.stop());
    } catch (err) {
      this.#log.error({ err, plugin: active.id, code: isHeraldError(err) ? err.code : undefined }, 'plugin did not stop cleanly');
    }
  }
}
