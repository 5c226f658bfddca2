export { default } from './webex-sink.ts';
export {
  webexServiceConfigSchema,
  webexPluginConfigSchema,
  type WebexServiceConfig,
  type WebexServiceConfigInput,
  type WebexPluginConfig,
} from './webex.config.ts';
export { buildMessage, type WebexMessage } from './webex-message.ts';
