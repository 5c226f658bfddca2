import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Bus, redactServerUrls } from '@herald/core-bus';
import { envOverridesOf, KernelErrorCodes, loadPlugin, PluginError, toBusOptions, validatePluginConfig, type EngineConfig } from '@herald/core-kernel';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { ServiceEntry } from '@herald/core-notification-config';
import {
  coreServices,
  HeraldError,
  maskErrorSecrets,
  systemClock,
  type Destination,
  type NotificationData,
  type ServiceRef,
  type SinkHandle,
  type SinkPlugin,
} from '@herald/plugin-sdk';
import { CliErrorCodes } from '../errors.ts';
import { versionInfo } from '../version.ts';
import type { EngineConfigFile } from './notification-inputs.ts';
import { builtInSinksConfig } from './sink-schemas.ts';

/** One notification `template notify --send` hands a sink. */
export interface CliNotification {
  template: string;
  destination: Destination;
  service: ServiceEntry;
  rendered: Record<string, unknown>;
  object: Record<string, unknown>;
}

/** The sinks of the engine config, started on demand, one `send` per recipient. */
export interface CliSinks {
  /** One attempt, as one attempt of the engine's sink runner: resolves when the remote side took it. */
  send(notification: CliNotification): Promise<void>;
  close(): Promise<void>;
}

interface Started {
  plugin: SinkPlugin;
  handle: SinkHandle;
  callTimeout: number;
}

/**
 * Opens the sinks `herald run` would run (those of the engine config, else Herald's built-in sinks with
 * their default options) so that `template notify --send` delivers as the engine does: the same plugin,
 * options and service entry, one attempt, secrets masked in its errors. A sink that needs the bus store
 * gets this engine's NATS; one that publishes or subscribes cannot run outside the engine.
 */
export function openCliSinks(engine: EngineConfigFile | undefined): CliSinks {
  const config: EngineConfig = engine?.config ?? builtInSinksConfig();
  const baseDir = engine ? dirname(resolve(engine.path)) : process.cwd();
  const logger = createLogger('herald', { level: 'warn', destination: pino.destination({ dest: 2, sync: true }) });
  // No exporter: a command's one send is not worth starting the OpenTelemetry SDK for.
  const telemetry = startTelemetry({ serviceName: 'herald-cli', serviceVersion: versionInfo().version, env: { OTEL_SDK_DISABLED: 'true' } });
  const started = new Map<string, Promise<Started>>();
  let bus: Promise<Bus> | undefined;

  async function sinkFor(serviceType: string): Promise<Started> {
    for (const [index, entry] of config.plugins.entries()) {
      const plugin = await loadPlugin(entry.name, { baseDir, pluginsFolder: config.pluginsFolder });
      if (plugin.kind !== 'sink' || !plugin.serviceTypes.includes(serviceType)) continue;
      const options = validatePluginConfig(plugin.id, index, plugin.configSchema, entry.options, envOverridesOf(config));
      const deps: Record<string, unknown> = {};
      for (const [key, ref] of Object.entries(plugin.deps as Record<string, ServiceRef<unknown>>)) deps[key] = await service(plugin, key, ref);
      const init = plugin.init as (context: Record<string, unknown>) => Promise<SinkHandle>;
      const handle = await init({ ...deps, config: options, signal: AbortSignal.timeout(entry.initTimeout) });
      return { plugin, handle, callTimeout: entry.callTimeout };
    }
    const where = engine ? `the engine config ${engine.path}` : "Herald's built-in sinks";
    throw new HeraldError(KernelErrorCodes.pluginNotFound, `no sink in ${where} delivers service type "${serviceType}"`);
  }

  async function service(plugin: SinkPlugin, key: string, ref: ServiceRef<unknown>): Promise<unknown> {
    switch (ref.id) {
      case coreServices.logger.id:
        return logger.child({ plugin: plugin.id });
      case coreServices.clock.id:
        return systemClock;
      case coreServices.tracer.id:
        return telemetry.tracer(`herald.plugin.${plugin.id}`);
      case coreServices.meter.id:
        return telemetry.meter(`herald.plugin.${plugin.id}`);
      case coreServices.store.id:
        bus ??= connectWithin(config, logger, plugin.id);
        return (await bus).pluginStore(plugin.id);
      default:
        throw new PluginError(plugin.id, KernelErrorCodes.pluginDeps, `deps.${key} asks for "${ref.id}", which only a running Herald provides: --send cannot run this sink`);
    }
  }

  return {
    async send(n) {
      let sink = started.get(n.destination.serviceType);
      if (!sink) started.set(n.destination.serviceType, (sink = sinkFor(n.destination.serviceType)));
      const { handle, callTimeout } = await sink;
      const service = { type: n.service.type, name: n.service.name, config: n.service.config as Record<string, unknown>, secrets: n.service.secrets };
      try {
        await handle.send(notificationData(n), { attempt: 1, signal: AbortSignal.timeout(callTimeout), service });
      } catch (err) {
        // As in the engine: the service's secrets never reach the output, whatever the sink's error says.
        throw maskErrorSecrets(err instanceof HeraldError ? err : new HeraldError(CliErrorCodes.sendFailed, String((err as Error)?.message ?? err), { cause: err }), service.secrets);
      }
    },
    async close() {
      for (const sink of started.values()) {
        const s = await sink.catch(() => undefined);
        await s?.handle.stop().catch(() => undefined);
      }
      if (bus) await (await bus.catch(() => undefined))?.drain();
      await telemetry.shutdown();
    },
  };
}

/** Bound on reaching NATS: an operator's command fails rather than waits for it, as `herald dlq` does. */
const NATS_TIMEOUT_MS = 5_000;

/** Connects to the engine's NATS for a sink's plugin store; unlike `run`, gives up after NATS_TIMEOUT_MS. */
async function connectWithin(config: EngineConfig, logger: ReturnType<typeof createLogger>, pluginId: string): Promise<Bus> {
  const connecting = Bus.connect(toBusOptions(config), logger);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PluginError(pluginId, KernelErrorCodes.pluginDeps, `needs its plugin store, and NATS (${config.nats.servers.map(redactServerUrls).join(', ')}) did not answer within ${NATS_TIMEOUT_MS / 1000} s`)), NATS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } catch (err) {
    // A connection that comes up later is closed at once.
    void connecting.then((b) => b.drain()).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The notification as the evaluator would publish it, with a fresh idempotency key: each --send is a new one. */
function notificationData(n: CliNotification): NotificationData {
  const object = n.object;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const kind = typeof object.kind === 'string' && object.kind ? object.kind : 'Object';
  const name = typeof metadata.name === 'string' && metadata.name ? metadata.name : 'unnamed';
  const id = randomUUID();
  return {
    trigger: 'template-notify',
    conditionKey: 'cli',
    template: n.template,
    destination: n.destination,
    stateKey: `template-notify:cli:${n.destination.service}:${n.destination.recipient}`,
    idempotencyKey: id,
    claimRevision: 0,
    ref: {
      group: group!,
      version: version || 'v1',
      resource: `${kind.toLowerCase()}s`,
      kind,
      ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
      name,
      uid: typeof metadata.uid === 'string' && metadata.uid ? metadata.uid : id,
    },
    rendered: n.rendered,
  };
}
