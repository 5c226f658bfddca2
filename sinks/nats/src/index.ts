export { default, idempotencyKey, MSG_ID_HEADER } from './nats-sink.ts';
export {
  natsServiceConfigSchema,
  natsPluginConfigSchema,
  type NatsServiceConfig,
  type NatsServiceConfigInput,
  type NatsPluginConfig,
} from './nats.config.ts';
