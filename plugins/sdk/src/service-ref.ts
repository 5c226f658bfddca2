import type { Meter, Tracer } from '@opentelemetry/api';
import type { BusPublisher, BusSubscriber } from './bus.ts';
import type { Clock, Logger } from './services.ts';
import type { PluginStore } from './plugin-store.ts';
import type { ResyncRequests } from './resync-requests.ts';

/** A typed handle on a core service. A plugin lists the refs it needs in `deps`; `init` gets the services. */
export interface ServiceRef<T> {
  readonly id: string;
  /** Type carrier only; never set. */
  readonly $type?: T;
}

export function createServiceRef<T>(id: string): ServiceRef<T> {
  return Object.freeze({ id });
}

/** The services the kernel gives plugins. Logger, tracer and meter come bound to the plugin's id. */
export const coreServices = {
  logger: createServiceRef<Logger>('core.logger'),
  clock: createServiceRef<Clock>('core.clock'),
  tracer: createServiceRef<Tracer>('core.tracer'),
  meter: createServiceRef<Meter>('core.meter'),
  publisher: createServiceRef<BusPublisher>('core.bus.publisher'),
  subscriber: createServiceRef<BusSubscriber>('core.bus.subscriber'),
  /** Durable keys of this plugin only (not the dedup claims: those belong to the core). */
  store: createServiceRef<PluginStore>('core.store'),
  /** Herald's requests that sources publish every object again (the notification config changed). */
  resyncRequests: createServiceRef<ResyncRequests>('core.resyncRequests'),
} as const;

export type ServiceRefs = Record<string, ServiceRef<unknown>>;

/** The object `init` receives for a `deps` declaration. */
export type ResolvedDeps<D extends ServiceRefs> = { [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never };
