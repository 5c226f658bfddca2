import { metrics, type Meter } from '@opentelemetry/api';
import { coreServices, type BusSubscriber, type PluginStore, type ResolvedDeps, type ServiceRefs } from '@herald/plugin-sdk';
import { PluginTestingError } from '../errors.ts';
import { manualClock, type ManualClock } from './manual-clock.ts';
import { memoryResyncRequests, type MemoryResyncRequests } from './memory-resync-requests.ts';
import { memoryStore } from './memory-store.ts';
import { recordingLogger, type RecordingLogger } from './recording-logger.ts';
import { recordingPublisher, type RecordingPublisher } from './recording-publisher.ts';
import { recordingTracer, type RecordingTracer } from './recording-tracer.ts';

/** One fake of each core service, to hand a plugin's `init` without Herald. */
export interface FakeCoreServices {
  logger: RecordingLogger;
  clock: ManualClock;
  tracer: RecordingTracer;
  /** OpenTelemetry's no-op meter (or the global one, if the test registered a MeterProvider). */
  meter: Meter;
  publisher: RecordingPublisher;
  /** Takes subscriptions and delivers nothing: call a handler yourself to test it. */
  subscriber: BusSubscriber;
  store: PluginStore;
  /** Resync requests in memory: `request()` makes one, as a change of the notification config does. */
  resyncRequests: MemoryResyncRequests;
  /** The services a plugin's `deps` names, as `init` receives them; throws for a service that is not a core one. */
  resolve<D extends ServiceRefs>(deps: D): ResolvedDeps<D>;
}

/**
 * Fakes of every core service: a logger that records, a clock that moves only when told, a tracer that
 * records spans, a publisher that records, a PluginStore and resync requests in memory. Pass some of your own (a `systemClock`,
 * a store shared by two instances to test a restart) through `overrides`.
 */
export function fakeCoreServices(overrides: Partial<Omit<FakeCoreServices, 'resolve'>> = {}): FakeCoreServices {
  const services = {
    logger: recordingLogger(),
    clock: manualClock(),
    tracer: recordingTracer(),
    meter: metrics.getMeter('herald-plugin-testing'),
    publisher: recordingPublisher(),
    subscriber: { subscribe: async () => ({ stop: async () => undefined }) } satisfies BusSubscriber,
    store: memoryStore(),
    resyncRequests: memoryResyncRequests(),
    ...overrides,
  };
  const byId: Record<string, unknown> = {
    [coreServices.logger.id]: services.logger,
    [coreServices.clock.id]: services.clock,
    [coreServices.tracer.id]: services.tracer,
    [coreServices.meter.id]: services.meter,
    [coreServices.publisher.id]: services.publisher,
    [coreServices.subscriber.id]: services.subscriber,
    [coreServices.store.id]: services.store,
    [coreServices.resyncRequests.id]: services.resyncRequests,
  };
  return {
    ...services,
    resolve<D extends ServiceRefs>(deps: D): ResolvedDeps<D> {
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(deps)) {
        if (!(ref.id in byId)) throw new PluginTestingError(`deps.${name} is service ${ref.id}, which is not a core service`);
        out[name] = byId[ref.id];
      }
      return out as ResolvedDeps<D>;
    },
  };
}
