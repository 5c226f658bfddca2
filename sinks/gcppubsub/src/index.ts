export { default, IDEMPOTENCY_ATTRIBUTE } from './gcppubsub-sink.ts';
export {
  gcppubsubServiceConfigSchema,
  gcppubsubPluginConfigSchema,
  gcppubsubTemplateSchema,
  type GcppubsubServiceConfig,
  type GcppubsubServiceConfigInput,
  type GcppubsubPluginConfig,
} from './gcppubsub.config.ts';
