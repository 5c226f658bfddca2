export { default } from './email-sink.ts';
export {
  emailServiceConfigSchema,
  emailPluginConfigSchema,
  emailTemplateSchema,
  type EmailServiceConfig,
  type EmailServiceConfigInput,
  type EmailPluginConfig,
} from './email.config.ts';
export { idempotencyKey } from './email-message.ts';
