export { default } from './pushover-sink.ts';
export {
  pushoverServiceConfigSchema,
  pushoverPluginConfigSchema,
  type PushoverServiceConfig,
  type PushoverServiceConfigInput,
  type PushoverPluginConfig,
} from './pushover.config.ts';
export { buildMessage, MAX_MESSAGE, type PushoverMessage } from './pushover-message.ts';
