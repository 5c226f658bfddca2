export { default } from './webhook-sink.ts';
export {
  webhookServiceConfigSchema,
  webhookPluginConfigSchema,
  webhookTemplateSchema,
  webhookBlockSchema,
  type WebhookServiceConfig,
  type WebhookServiceConfigInput,
  type WebhookPluginConfig,
} from './webhook.config.ts';
export { idempotencyKey, type WebhookBlock } from './webhook-request.ts';
