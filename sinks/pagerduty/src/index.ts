export { default } from './pagerduty-sink.ts';
export {
  pagerdutyServiceConfigSchema,
  pagerdutyPluginConfigSchema,
  pagerdutyTemplateSchema,
  type PagerDutyServiceConfig,
  type PagerDutyServiceConfigInput,
} from './pagerduty.config.ts';
export { buildIncident, type CreateIncidentRequest } from './pagerduty-incident.ts';
