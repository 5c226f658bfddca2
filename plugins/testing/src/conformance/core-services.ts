import { metrics, trace } from '@opentelemetry/api';
import { coreServices, systemClock, type BusSubscriber, type ServiceRefs } from '@herald/plugin-sdk';
import { memoryResyncRequests } from '../fakes/memory-resync-requests.ts';
import { memoryStore } from '../fakes/memory-store.ts';
import type { RecordingLogger } from '../fakes/recording-logger.ts';
import { recordingPublisher } from '../fakes/recording-publisher.ts';

// A subscriber that takes subscriptions and delivers nothing: the conformance kit sends directly.
const idleSubscriber: BusSubscriber = {
  subscribe: async () => ({ stop: async () => undefined }),
};

/** Resolves a plugin's `deps` with fakes: the recording logger, the system clock, no-op telemetry, memory store and resync requests. */
export function fakeDeps(deps: ServiceRefs, logger: RecordingLogger): Record<string, unknown> {
  const byId: Record<string, () => unknown> = {
    [coreServices.logger.id]: () => logger,
    [coreServices.clock.id]: () => systemClock,
    [coreServices.tracer.id]: () => trace.getTracer('herald-conformance'),
    [coreServices.meter.id]: () => metrics.getMeter('herald-conformance'),
    [coreServices.publisher.id]: () => recordingPublisher(),
    [coreServices.subscriber.id]: () => idleSubscriber,
    [coreServices.store.id]: () => memoryStore(),
    [coreServices.resyncRequests.id]: () => memoryResyncRequests(),
  };
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(deps)) {
    const make = byId[ref.id];
    if (!make) throw new Error(`the plugin needs service ${ref.id}, which is not a core service`);
    out[name] = make();
  }
  return out;
}
