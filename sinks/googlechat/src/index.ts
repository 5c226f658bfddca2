export { default } from './googlechat-sink.ts';
export {
  googleChatServiceConfigSchema,
  googleChatPluginConfigSchema,
  googleChatTemplateSchema,
  type GoogleChatServiceConfig,
  type GoogleChatServiceConfigInput,
  type GoogleChatPluginConfig,
} from './googlechat.config.ts';
export { googleChatBody, postUrl, type GoogleChatBlock } from './googlechat-message.ts';
