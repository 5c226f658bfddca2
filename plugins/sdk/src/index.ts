export { z } from 'zod';
export { SDK_VERSION, CONTRACT_VERSION, PLUGIN_BRAND } from './version.ts';
export { HeraldError, DeliveryError, isHeraldError, isDeliveryError } from './errors.ts';
export {
  defineSource,
  defineSink,
  isHeraldPlugin,
  type HeraldPlugin,
  type SourcePlugin,
  type SinkPlugin,
  type SourceOptions,
  type SinkOptions,
  type SourceHandle,
  type SinkHandle,
  type SendContext,
  type ServiceInstance,
  type InitContext,
} from './define-plugin.ts';
export { createServiceRef, coreServices, type ServiceRef, type ServiceRefs, type ResolvedDeps } from './service-ref.ts';
export type { Logger, Clock } from './services.ts';
export type { StateStore, StateEntry } from './state.ts';
export type {
  BusPublisher,
  BusSubscriber,
  Channel,
  ChannelData,
  Delivery,
  DeadLetterReason,
  DeliveryHandler,
  PublishOptions,
  PublishReceipt,
  SubscribeOptions,
  Subscription,
} from './bus.ts';
export * from './events.ts';
export { secret, isSecret } from './secret.ts';
