export { default } from './slack-sink.ts';
export {
  slackServiceConfigSchema,
  slackPluginConfigSchema,
  slackTemplateSchema,
  deliveryPolicies,
  type SlackServiceConfig,
  type SlackServiceConfigInput,
  type SlackPluginConfig,
  type DeliveryPolicy,
} from './slack.config.ts';
export { idempotencyKey, type SlackMessage } from './slack-message.ts';
