export { default } from './grafana-sink.ts';
export {
  grafanaServiceConfigSchema,
  grafanaPluginConfigSchema,
  type GrafanaServiceConfig,
  type GrafanaServiceConfigInput,
  type GrafanaPluginConfig,
} from './grafana.config.ts';
export { buildAnnotation, annotationsUrl, type GrafanaAnnotation } from './grafana-annotation.ts';
