export { default } from './rocketchat-sink.ts';
export {
  rocketchatServiceConfigSchema,
  rocketchatPluginConfigSchema,
  rocketchatTemplateSchema,
  type RocketchatServiceConfig,
  type RocketchatServiceConfigInput,
  type RocketchatPluginConfig,
} from './rocketchat.config.ts';
export { buildMessage, type RocketchatMessage } from './rocketchat-message.ts';
