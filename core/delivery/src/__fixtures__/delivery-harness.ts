import type { Meter } from '@opentelemetry/api';
import { Bus, defaultTopology, type PublisherOptions, type SubscriberOptions } from '@herald/core-bus';
import { isHeraldError, HeraldError, type Logger, type SinkHandle, type SinkPlugin, type Subscription } from '@herald/plugin-sdk';
import type { Telemetry } from '@herald/core-telemetry';
import type { SinkSettings, SinkTypeSettings } from '../delivery-policy.ts';
import { startSinkRunner, type ConfiguredService, type SinkCall } from '../sink-runner.ts';

const MiB = 1024 * 1024;

/** The engine config's `sink` defaults (durations in ms), with overrides. */
export function sinkSettings(overrides: { [K in Exclude<keyof SinkSettings, 'byType'>]?: Partial<SinkSettings[K]> } & { byType?: Record<string, SinkTypeSettings> } = {}): SinkSettings {
  const defaults: SinkSettings = {
    maxDeliver: 5,
    maxAckPending: 1_000,
    backoff: { base: 1_000, max: 60_000, jitter: 'equal' },
    rateLimit: { perSecond: 0, burst: 20, maxWait: 100, scope: 'cluster' },
    concurrency: { perDestination: 4 },
    circuitBreaker: { failures: 3, coolDown: 30_000, maxCoolDown: 300_000 },
    byType: {},
  };
  return {
    ...defaults,
    ...overrides,
    backoff: { ...defaults.backoff, ...overrides.backoff },
    rateLimit: { ...defaults.rateLimit, ...overrides.rateLimit },
    concurrency: { ...defaults.concurrency, ...overrides.concurrency },
    circuitBreaker: { ...defaults.circuitBreaker, ...overrides.circuitBreaker },
  };
}

/** A bus on its own subjects and streams (small ones), as the kernel connects it. */
export function connectBus(
  url: string,
  prefix: string,
  logger: Logger,
  options: { subscriber?: SubscriberOptions; publisher?: Omit<PublisherOptions, 'source'>; resultsMaxBytes?: number } = {},
): Promise<Bus> {
  const { resultsMaxBytes = 16 * MiB, ...busOptions } = options;
  const limits = (maxBytes: number) => ({ maxAgeMs: 3_600_000, maxBytes, maxMsgSize: 4 * MiB, replicas: 1 });
  return Bus.connect(
    {
      servers: [url],
      name: `delivery-test-${prefix}`,
      topology: {
        ...defaultTopology,
        subjectPrefix: prefix,
        namePrefix: prefix.toUpperCase(),
        streams: { events: limits(16 * MiB), notifications: limits(32 * MiB), results: limits(resultsMaxBytes), deadLetters: limits(32 * MiB) },
        state: { maxBytes: 16 * MiB, replicas: 1 },
      },
      ...busOptions,
    },
    logger,
  );
}

/**
 * The kernel's plugin call, as it wraps `send`: a deadline, and every error attributed to the plugin
 * (`plugin "<id>": <what> failed: …`, HERALD_ERR_PLUGIN_* codes, the retryability kept).
 */
export function pluginCall(pluginId: string): SinkCall {
  return async (what, timeoutMs, work, shutdown) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new HeraldError('HERALD_ERR_PLUGIN_TIMEOUT', `plugin "${pluginId}": ${what} did not finish within ${timeoutMs} ms`, { retryable: true });
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const run = async () => {
      try {
        return await work(AbortSignal.any([controller.signal, shutdown]));
      } catch (cause) {
        const expected = isHeraldError(cause);
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new HeraldError(expected ? 'HERALD_ERR_PLUGIN_CALL' : 'HERALD_ERR_PLUGIN_UNEXPECTED', `plugin "${pluginId}": ${what} failed: ${message}`, { cause, retryable: expected ? cause.retryable : true });
      }
    };
    try {
      return await Promise.race([run(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export interface RunningSink {
  handle: SinkHandle;
  subscriptions: Subscription[];
  /** As the kernel stops a sink: intake first, then sends in flight are told, then the plugin stops. */
  stop(): Promise<void>;
}

/**
 * Starts a sink plugin on core/delivery as the kernel does, without the kernel: init with its parsed
 * options, then the runner on the bus, with the given services as the notification config in force.
 */
export async function runSink(options: {
  bus: Bus;
  plugin: SinkPlugin;
  pluginOptions?: unknown;
  settings?: SinkSettings;
  callTimeoutMs?: number;
  services: readonly ConfiguredService[];
  logger: Logger;
  telemetry: Telemetry;
  meter?: Meter;
  /** Further core services the plugin's `deps` name (a store, a clock), by dep name. */
  deps?: Record<string, unknown>;
}): Promise<RunningSink> {
  const { bus, plugin, logger, telemetry } = options;
  const tracer = telemetry.tracer(`herald.plugin.${plugin.id}`);
  const init = plugin.init as (context: Record<string, unknown>) => Promise<SinkHandle>;
  const handle = await init({ ...options.deps, config: plugin.configSchema.parse(options.pluginOptions ?? {}), signal: new AbortController().signal, logger, tracer });
  const shutdown = new AbortController();
  const services = new Map(options.services.map((s) => [s.name, s]));
  const subscriptions = await startSinkRunner({
    sink: plugin,
    handle,
    subscriber: bus.subscriber(tracer, logger),
    publisher: bus.publisher(`herald/plugin/${plugin.id}`, tracer),
    logger,
    call: pluginCall(plugin.id),
    callTimeoutMs: options.callTimeoutMs ?? 30_000,
    settings: options.settings ?? sinkSettings(),
    shutdown: shutdown.signal,
    services: () => services,
    pace: (serviceType) => bus.paceStore(serviceType),
    ...(options.meter ? { meter: options.meter } : {}),
  });
  let stopped: Promise<void> | undefined;
  return {
    handle,
    subscriptions,
    stop: () =>
      (stopped ??= (async () => {
        const intake = subscriptions.map((s) => s.stop());
        shutdown.abort(new Error('Herald is shutting down'));
        await Promise.all(intake);
        await handle.stop();
      })()),
  };
}

/** Waits for `done()`, polling; throws naming `what` after 45 s. */
export async function until(what: string, done: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
