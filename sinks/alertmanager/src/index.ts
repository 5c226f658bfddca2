export { default } from './alertmanager-sink.ts';
export {
  alertmanagerServiceConfigSchema,
  alertmanagerPluginConfigSchema,
  alertmanagerTemplateSchema,
  type AlertmanagerServiceConfig,
  type AlertmanagerServiceConfigInput,
} from './alertmanager.config.ts';
export { buildAlert, httpGeneratorUrl, type PostableAlert } from './alertmanager-alert.ts';
