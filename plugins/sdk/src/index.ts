export { z } from 'zod';
export { SDK_VERSION, CONTRACT_VERSION, PLUGIN_BRAND } from './version.ts';
export { HeraldError, DeliveryError, DurationError, isHeraldError, isDeliveryError, isBusClosed, BUS_CLOSED_ERROR_CODE } from './errors.ts';
export { parseDuration, parseDurationNanoseconds, durationSchema, type DurationOptions } from './duration.ts';
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
  type SinkLimits,
  type RetryPolicy,
  type PluginOptions,
  type Branded,
} from './define-plugin.ts';
export { backoffDelay, sleepUnlessAborted, untilAborted, retryAfterOf, parseRetryAfter, isRetryableStatus, type BackoffPolicy, type Jitter } from './retry.ts';
export { createServiceRef, coreServices, type ServiceRef, type ServiceRefs, type ResolvedDeps } from './service-ref.ts';
export type { Logger, Clock } from './services.ts';
export { systemClock } from './clock.ts';
export type { PluginStore, StoreEntry } from './plugin-store.ts';
export type { ResyncRequest, ResyncRequests } from './resync-requests.ts';
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
export { secret, isSecret, secretRegistry, type SecretMeta } from './secret.ts';
export { maskSecrets, maskErrorSecrets, SECRET_MASK } from './mask-secrets.ts';
export { serviceOptionsReader } from './service-options.ts';
