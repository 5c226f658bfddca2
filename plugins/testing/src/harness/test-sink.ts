import type { NotificationData, ServiceRefs, SinkHandle, SinkPlugin, z } from '@herald/plugin-sdk';
import { fakeDeps } from '../conformance/core-services.ts';
import { recordingLogger, type RecordingLogger } from '../fakes/recording-logger.ts';

/** A sink started for a test, as Herald would start it, with `send` taking service options as written. */
export interface TestSink<C extends z.ZodType> {
  handle: SinkHandle<z.output<C>>;
  logger: RecordingLogger;
  /**
   * Sends to a service of the sink's first type, named `name` (default: TestSinkOptions.serviceName), configured with
   * `options` (parsed by the sink's serviceConfigSchema, as Herald parses them when the config loads);
   * `secrets`: the values Herald took from the Secret for it.
   */
  send(notification: NotificationData, options: z.input<C>, context?: { name?: string; signal?: AbortSignal; secrets?: string[]; attempt?: number }): Promise<void>;
}

export interface TestSinkOptions {
  /** The plugin's options (`plugins[i].options`), parsed by its configSchema; default `{}`. */
  pluginConfig?: unknown;
  /** Name of the service `send` sends to unless it names one; default: the sink's first service type. */
  serviceName?: string;
  /** Dependencies to use instead of the fakes, by the name the sink's `deps` gives them (e.g. `{ clock: manualClock(…) }`). */
  deps?: Record<string, unknown>;
}

/**
 * Starts `plugin` with fakes of the core services it asks for (a recording logger, the system clock,
 * no-op telemetry, a memory store), for tests that drive its `send` directly. Stop it with `handle.stop()`.
 */
export async function startTestSink<S extends z.ZodType, D extends ServiceRefs, C extends z.ZodType>(plugin: SinkPlugin<S, D, C>, options: TestSinkOptions = {}): Promise<TestSink<C>> {
  const logger = recordingLogger();
  const config = plugin.configSchema.parse(options.pluginConfig ?? {});
  const deps = { ...fakeDeps(plugin.deps, logger), ...options.deps };
  const handle = (await plugin.init({ ...deps, config, signal: new AbortController().signal } as never)) as SinkHandle<z.output<C>>;
  const type = plugin.serviceTypes[0]!;
  return {
    handle,
    logger,
    send: async (notification, serviceOptions, { name = options.serviceName ?? type, signal = new AbortController().signal, secrets, attempt = 1 } = {}) => {
      const parsed = (plugin.serviceConfigSchema ? plugin.serviceConfigSchema.parse(serviceOptions) : serviceOptions) as z.output<C>;
      return handle.send(notification, { attempt, signal, service: { type, name, config: parsed, ...(secrets ? { secrets } : {}) } });
    },
  };
}
