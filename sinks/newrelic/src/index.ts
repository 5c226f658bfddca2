export { default } from './newrelic-sink.ts';
export {
  newrelicServiceConfigSchema,
  newrelicPluginConfigSchema,
  newrelicTemplateSchema,
  type NewrelicServiceConfig,
  type NewrelicServiceConfigInput,
  type NewrelicPluginConfig,
} from './newrelic.config.ts';
export { buildMarker, markersUrl, type DeploymentMarker } from './newrelic-marker.ts';
