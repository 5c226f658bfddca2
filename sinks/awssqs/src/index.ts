export { default } from './awssqs-sink.ts';
export {
  awssqsServiceConfigSchema,
  awssqsPluginConfigSchema,
  awssqsTemplateSchema,
  type AwssqsServiceConfig,
  type AwssqsServiceConfigInput,
  type AwssqsPluginConfig,
} from './awssqs.config.ts';
export { idempotencyKey } from './sqs-message.ts';
