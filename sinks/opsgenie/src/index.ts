export { default } from './opsgenie-sink.ts';
export {
  opsgenieServiceConfigSchema,
  opsgeniePluginConfigSchema,
  opsgenieTemplateSchema,
  type OpsgenieServiceConfig,
  type OpsgenieServiceConfigInput,
} from './opsgenie.config.ts';
export { buildAlert, type CreateAlertRequest } from './opsgenie-alert.ts';
